package dev.privacy.dpf.operator.embedded;

import dev.privacy.dpf.crds.DpfApi;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;

/**
 * An in-process stand-in for the Kubernetes API server: fabric8's mock server in CRUD mode with the
 * {@link StrictCrudDispatcher}, and the project's CRDs registered (so status is a subresource).
 */
public final class EmbeddedApiServer implements AutoCloseable {
  /**
   * The mock server logs every request at INFO through java.util.logging; quiet by default (the
   * logger is held here: JUL keeps only weak references to configured loggers).
   */
  private static final java.util.logging.Logger REQUEST_LOG = quiet("io.fabric8.mockwebserver");

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger l = java.util.logging.Logger.getLogger(name);
    if (System.getProperty("dpf.embedded.requestLog") == null) {
      l.setLevel(java.util.logging.Level.WARNING);
    }
    return l;
  }

  private final StrictCrudDispatcher dispatcher = new StrictCrudDispatcher();
  private final KubernetesMockServer server;

  public EmbeddedApiServer() {
    server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
  }

  /** Starts it on a free port of the loopback interface and registers the CRDs. */
  public EmbeddedApiServer start() {
    server.init();
    try (KubernetesClient c = client()) {
      for (String plural : new String[] {DpfApi.PLURAL_BLOCKS, DpfApi.PLURAL_CLAIMS}) {
        String res = "/META-INF/fabric8/" + plural + "." + DpfApi.GROUP + "-v1.yml";
        try (InputStream in = EmbeddedApiServer.class.getResourceAsStream(res)) {
          if (in == null) {
            throw new IllegalStateException("CRD " + res + " is not on the class path");
          }
          CustomResourceDefinition crd =
              c.apiextensions().v1().customResourceDefinitions().load(in).item();
          c.apiextensions().v1().customResourceDefinitions().resource(crd).create();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    return this;
  }

  public StrictCrudDispatcher dispatcher() {
    return dispatcher;
  }

  /** A new client of this server: no retries and a 5 s request timeout, so failures show fast. */
  public NamespacedKubernetesClient client() {
    return server.createClient(
        b ->
            b.editOrNewConfig()
                .withRequestRetryBackoffLimit(0)
                .withRequestTimeout(5_000)
                .endConfig());
  }

  /** The server's address, for a kubeconfig. */
  public String url() {
    return server.url("/");
  }

  @Override
  public void close() {
    server.destroy();
  }
}
