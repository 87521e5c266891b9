package dev.privacy.dpf.e2e;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cluster made of processes: {@code dpf-operator.jar serve-api} (the embedded API server, with
 * the node and Job controller stand-ins) and {@code dpf-operator.jar} (the operator) against the
 * kubeconfig the first one writes. With {@code E2E_KUBECONFIG} set, nothing is started: that
 * kubeconfig's cluster (with the operator installed by the Helm chart) is used instead.
 */
final class ProcessCluster implements AutoCloseable {
  final Path dir;
  final Path kubeconfig;
  final Kubectl kubectl;
  private final boolean external;
  private Process api;
  private Process operator;
  private int operatorRuns;

  ProcessCluster(Path dir) throws IOException {
    this.dir = dir;
    String ext = System.getenv("E2E_KUBECONFIG");
    external = ext != null && !ext.isEmpty();
    kubeconfig = external ? Paths.get(ext) : dir.resolve("kubeconfig");
    Files.createDirectories(dir.resolve("kubectl"));
    kubectl = new Kubectl(kubeconfig, dir.resolve("kubectl"));
  }

  /**
   * A fresh directory for a test's processes' logs and kubeconfig: {@code target/e2e/<name>} (kept
   * after the run, for a look at the logs).
   */
  static Path workDir(String name) throws IOException {
    Path d = Paths.get("target", "e2e", name).toAbsolutePath();
    if (Files.exists(d)) {
      try (var files = Files.walk(d)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    return Files.createDirectories(d);
  }

  /** Whether the tests run against a real cluster ({@code E2E_KUBECONFIG}). */
  boolean external() {
    return external;
  }

  static Path jar() {
    Path jar =
        Paths.get(System.getProperty("dpf.operator.jar", "../operator/target/dpf-operator.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError(
          "the packaged operator "
              + jar
              + " is missing: build it first (./mvnw -B -ntp -pl e2e -am verify does)");
    }
    return jar;
  }

  private static String java() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Starts the embedded API server and waits until its kubeconfig is written (it is ready). */
  ProcessCluster startApi(String... extraFlags) throws Exception {
    if (external) {
      return this;
    }
    List<String> cmd = new ArrayList<>(List.of(java(), "-jar", jar().toString(), "serve-api"));
    cmd.add("--port=0");
    cmd.add("--kubeconfig=" + kubeconfig);
    cmd.addAll(List.of(extraFlags));
    api =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("serve-api.log").toFile())
            .start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(kubeconfig)) {
      if (!api.isAlive() || System.nanoTime() > end) {
        throw new AssertionError("serve-api did not come up:\n" + log("serve-api.log"));
      }
      Thread.sleep(100);
    }
    return this;
  }

  /** Starts (again) the operator process; waits until it answers {@code /readyz}. */
  ProcessCluster startOperator(String... flags) throws Exception {
    if (external) {
      return this;
    }
    int port = freePort();
    List<String> cmd = new ArrayList<>(List.of(java(), "-jar", jar().toString()));
    cmd.add("--health-port=" + port);
    cmd.addAll(List.of(flags));
    String log = "operator-" + (++operatorRuns) + ".log";
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    operator = pb.start();
    HttpClient http = HttpClient.newHttpClient();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                    .timeout(Duration.ofSeconds(2))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          return this;
        }
      } catch (IOException e) {
        // not listening yet
      }
      if (!operator.isAlive() || System.nanoTime() > end) {
        throw new AssertionError("the operator did not become ready:\n" + log(log));
      }
      Thread.sleep(200);
    }
  }

  /** Kills the operator with SIGKILL, as a node failure or an OOM kill would. */
  void killOperator() throws InterruptedException {
    if (operator != null) {
      operator.destroyForcibly();
      operator.waitFor(30, TimeUnit.SECONDS);
    }
  }

  String log(String name) {
    try {
      return Files.readString(dir.resolve(name));
    } catch (IOException e) {
      return "(no " + name + ")";
    }
  }

  /** The logs of every process, for a failure message. */
  String logs() {
    StringBuilder b = new StringBuilder("serve-api:\n").append(log("serve-api.log"));
    for (int i = 1; i <= operatorRuns; i++) {
      b.append("\noperator run ").append(i).append(":\n").append(log("operator-" + i + ".log"));
    }
    return b.toString();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void stop(Process p) throws InterruptedException {
    if (p != null && p.isAlive()) {
      p.destroy(); // SIGTERM
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop(operator);
    stop(api);
  }
}
