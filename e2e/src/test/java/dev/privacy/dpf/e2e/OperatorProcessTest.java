package dev.privacy.dpf.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.operator.embedded.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged operator ({@code java -jar operator/target/dpf-operator.jar}) as a real process
 * against the current kubeconfig, which points at an embedded API server: it grants a claim,
 * answers its health endpoints, and stops cleanly on SIGTERM.
 */
class OperatorProcessTest {

  @TempDir Path dir;

  @Test
  void thePackagedOperatorRunsAgainstTheKubeconfigAndStopsCleanly() throws Exception {
    Path jar = Paths.get(System.getProperty("dpf.operator.jar"));
    assertThat(jar).exists();
    try (EmbeddedApiServer api = new EmbeddedApiServer().start();
        KubernetesClient client = api.client()) {
      Path kubeconfig = dir.resolve("kubeconfig");
      Files.writeString(
          kubeconfig,
          "apiVersion: v1\nkind: Config\nclusters:\n- name: embedded\n  cluster: {server: \""
              + api.url()
              + "\"}\ncontexts:\n- name: embedded\n  context: {cluster: embedded, user: dev}\n"
              + "current-context: embedded\nusers:\n- name: dev\n  user: {}\n");
      int port = freePort();
      Path log = dir.resolve("operator.log");
      ProcessBuilder pb =
          new ProcessBuilder(
                  Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                  "-jar",
                  jar.toString(),
                  "--policy=fcfs",
                  "--health-port=" + port)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      Process p = pb.start();
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> status(port, "/readyz") == 200);
        assertThat(status(port, "/healthz")).isEqualTo(200);
        create(
            client,
            "apiVersion: dpf.privacy.dev/v1alpha1\nkind: PrivateBlock\nmetadata: {name: day-1,"
                + " namespace: ml}\nspec: {dataset: clicks, budget: {epsilon: 10.0, delta: 1.0e-6}}");
        create(
            client,
            "apiVersion: dpf.privacy.dev/v1alpha1\nkind: PrivacyClaim\nmetadata: {name: train,"
                + " namespace: ml}\nspec: {blocks: {dataset: clicks}, demand: {mechanism:"
                + " {gaussian: {sigma: 4.0}}}}");
        awaitOrShow(
            log,
            client,
            () ->
                client
                        .resources(PrivacyClaim.class)
                        .inNamespace("ml")
                        .withName("train")
                        .get()
                        .getStatus()
                        .getPhase()
                    == ClaimPhase.Allocated);
      } finally {
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
      }
      List<String> lines = Files.readAllLines(log);
      assertThat(lines).anyMatch(l -> l.contains("DPF operator started"));
      assertThat(lines).anyMatch(l -> l.contains("DPF operator stopped"));
    }
  }

  /** Waits for {@code condition}; on a timeout, fails with the claim and the operator's log. */
  private static void awaitOrShow(
      Path log, KubernetesClient client, java.util.concurrent.Callable<Boolean> condition)
      throws IOException {
    try {
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(condition);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      PrivacyClaim c =
          client.resources(PrivacyClaim.class).inNamespace("ml").withName("train").get();
      throw new AssertionError(
          "claim: "
              + (c == null ? null : Serialization.asYaml(c.getStatus()))
              + "\noperator log:\n"
              + String.join("\n", Files.readAllLines(log)),
          e);
    }
  }

  private static void create(KubernetesClient client, String yaml) {
    client.resource((HasMetadata) Serialization.unmarshal(yaml)).create();
  }

  private static int status(int port, String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
