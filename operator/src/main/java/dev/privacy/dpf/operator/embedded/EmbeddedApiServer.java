package dev.privacy.dpf.operator.embedded;

import com.sun.net.httpserver.HttpServer;
import dev.privacy.dpf.crds.DpfApi;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the Kubernetes API server, in process or on its own ({@link ServeApi}): an HTTP
 * endpoint on the loopback interface ({@link ApiFront}: discovery, Tables, HTTP watches, admission
 * webhooks) over fabric8's CRUD mock store ({@link StrictCrudDispatcher}), with the project's CRDs
 * installed. Optionally a {@link ClusterSimulator} stands in for the scheduler, the kubelet and the
 * Job controller. The state lives in memory and is gone when the server stops. See {@code
 * docs/embedded.md} for what it is and is not.
 */
public final class EmbeddedApiServer implements AutoCloseable {
  static {
    // the JDK server writes headers and body separately: without TCP_NODELAY a keep-alive client
    // waits for the delayed ACK (about 40 ms) on every small answer. Read once, when the JDK's
    // server configuration class loads, so set it before the first server of the JVM.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  /**
   * How to run it.
   *
   * @param host the address to listen on (loopback by default)
   * @param port the port (0: any free one)
   * @param simulateCluster whether to run the scheduler, kubelet and Job controller stand-ins
   * @param podRunTime how long a simulated pod runs before it succeeds
   * @param nodeName the simulated node
   */
  public record Options(
      String host, int port, boolean simulateCluster, Duration podRunTime, String nodeName) {
    public static Options defaults() {
      return new Options("127.0.0.1", 0, false, Duration.ofSeconds(3), "embedded-node");
    }

    public Options withPort(int p) {
      return new Options(host, p, simulateCluster, podRunTime, nodeName);
    }

    public Options withSimulatedCluster(boolean on) {
      return new Options(host, port, on, podRunTime, nodeName);
    }

    public Options withPodRunTime(Duration d) {
      return new Options(host, port, simulateCluster, d, nodeName);
    }

    public Options withNodeName(String n) {
      return new Options(host, port, simulateCluster, podRunTime, n);
    }
  }

  private static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

  private final Options options;
  private final StrictCrudDispatcher dispatcher = new StrictCrudDispatcher();
  private HttpServer http;
  private ExecutorService pool;
  private ClusterSimulator simulator;
  private int port;

  public EmbeddedApiServer() {
    this(Options.defaults());
  }

  public EmbeddedApiServer(Options options) {
    this.options = options;
  }

  /** Starts listening, registers the CRDs, and starts the cluster stand-ins if asked for. */
  public EmbeddedApiServer start() {
    try {
      http =
          HttpServer.create(
              new InetSocketAddress(InetAddress.getByName(options.host()), options.port()), 128);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
    }
    port = http.getAddress().getPort();
    pool = Executors.newCachedThreadPool(daemon("embedded-api-"));
    ApiResources resources =
        new ApiResources(() -> dispatcher.handleGet(CRDS).getBody().readUtf8());
    Admission admission = new Admission(dispatcher);
    http.createContext(
        "/", new ApiFront(dispatcher, resources, admission, options.host() + ":" + port));
    http.setExecutor(pool);
    http.start();
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
    if (options.simulateCluster()) {
      simulator = new ClusterSimulator(client(), options.nodeName(), options.podRunTime()).start();
    }
    return this;
  }

  public StrictCrudDispatcher dispatcher() {
    return dispatcher;
  }

  /**
   * A new client of this server: no retries, a 5 s request timeout (so failures show fast), HTTP
   * watches, default namespace {@code test}.
   */
  public NamespacedKubernetesClient client() {
    Config cfg =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(url())
            .withNamespace("test")
            .withHttp2Disable(true)
            .withOnlyHttpWatches(true)
            .withRequestRetryBackoffLimit(0)
            .withRequestTimeout(5_000)
            .build();
    return new KubernetesClientBuilder()
        .withConfig(cfg)
        .build()
        .adapt(NamespacedKubernetesClient.class);
  }

  /** The server's address, e.g. {@code http://127.0.0.1:39117}. */
  public String url() {
    return "http://" + options.host() + ":" + port;
  }

  public int port() {
    return port;
  }

  /**
   * Writes a kubeconfig for this server with one context (cluster and user of the same name) and
   * makes it current; written to a temporary file first, so a reader never sees half of it.
   */
  public void writeKubeconfig(Path file, String context) throws IOException {
    String yaml =
        "apiVersion: v1\n"
            + "kind: Config\n"
            + "clusters:\n"
            + "- name: "
            + context
            + "\n  cluster:\n    server: "
            + url()
            + "\ncontexts:\n"
            + "- name: "
            + context
            + "\n  context:\n    cluster: "
            + context
            + "\n    user: "
            + context
            + "\n    namespace: default\n"
            + "current-context: "
            + context
            + "\nusers:\n"
            + "- name: "
            + context
            + "\n  user: {}\n";
    Path abs = file.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    Path tmp = Files.createTempFile(abs.getParent(), ".kubeconfig", ".tmp");
    Files.writeString(tmp, yaml);
    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void close() {
    if (simulator != null) {
      simulator.close();
    }
    if (http != null) {
      http.stop(0);
    }
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
