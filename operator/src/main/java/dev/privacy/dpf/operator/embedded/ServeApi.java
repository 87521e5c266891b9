package dev.privacy.dpf.operator.embedded;

import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar dpf-operator.jar serve-api [--flag=value ...]}: the embedded API server as a
 * process of its own, on 127.0.0.1, until SIGTERM or Ctrl-C. An operator process can be killed and
 * started again against it while the objects stay.
 */
public final class ServeApi {
  private ServeApi() {}

  /** The parsed command line. */
  record Flags(
      int port,
      Path kubeconfig,
      String context,
      boolean simulate,
      Duration podRunTime,
      String nodeName) {}

  static String help() {
    return """
        Usage: java -jar dpf-operator.jar serve-api [flags]

        Runs the embedded Kubernetes API server (an in-memory stand-in, see docs/embedded.md) on
        127.0.0.1 with the DPF CRDs installed, until SIGTERM or Ctrl-C.

          --port=N               port to listen on; 0 picks a free one (default 0)
          --kubeconfig=FILE      write a kubeconfig for the server to FILE once it is ready
          --context=NAME         the kubeconfig's context, cluster and user name (default dpf-embedded)
          --simulate-nodes=BOOL  stand in for the scheduler, a node's kubelet and the Job
                                 controller (default false)
          --pod-run-time=DUR     how long a simulated pod runs before it succeeds, e.g. 500ms, 3s
                                 (default 3s)
          --node-name=NAME       the simulated node (default embedded-node)
          --help                 this text
        """;
  }

  /** Parses the flags; throws IllegalArgumentException naming the flag and the value. */
  static Flags parse(String[] args) {
    int port = 0;
    Path kubeconfig = null;
    String context = "dpf-embedded";
    boolean simulate = false;
    Duration runTime = Duration.ofSeconds(3);
    String nodeName = "embedded-node";
    for (String a : args) {
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException(
            "unexpected argument '" + a + "' (flags are --name=value)");
      }
      int eq = a.indexOf('=');
      String name = eq < 0 ? a : a.substring(0, eq);
      String value = eq < 0 ? null : a.substring(eq + 1);
      switch (name) {
        case "--port" -> {
          try {
            port = Integer.parseInt(required(name, value));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "--port: expected a port number from 0 to 65535, got '" + value + "'");
          }
          if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(
                "--port: expected a port number from 0 to 65535, got '" + value + "'");
          }
        }
        case "--kubeconfig" -> kubeconfig = Paths.get(required(name, value));
        case "--context" -> {
          context = required(name, value);
          if (!context.matches("[A-Za-z0-9][-A-Za-z0-9_.@]*")) {
            throw new IllegalArgumentException(
                "--context: expected a name of letters, digits and - _ . @, got '" + value + "'");
          }
        }
        case "--simulate-nodes" -> simulate = bool(name, value);
        case "--pod-run-time" -> {
          try {
            runTime = Durations.parse(required(name, value));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
          }
        }
        case "--node-name" -> {
          nodeName = required(name, value);
          if (!nodeName.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            throw new IllegalArgumentException(
                "--node-name: expected a DNS name (lower case letters, digits, - and .), got '"
                    + value
                    + "'");
          }
        }
        default ->
            throw new IllegalArgumentException("unknown flag " + name + " (see serve-api --help)");
      }
    }
    return new Flags(port, kubeconfig, context, simulate, runTime, nodeName);
  }

  private static String required(String name, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(name + ": a value is required (" + name + "=...)");
    }
    return value;
  }

  private static boolean bool(String name, String value) {
    if (value == null || value.equals("true")) {
      return true;
    }
    if (value.equals("false")) {
      return false;
    }
    throw new IllegalArgumentException(name + ": expected true or false, got '" + value + "'");
  }

  public static void main(String[] args) throws Exception {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs until the JVM is asked to stop; returns the exit code for a bad command line. */
  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    for (String a : args) {
      if (a.equals("--help") || a.equals("-h")) {
        out.print(help());
        return 0;
      }
    }
    Flags f;
    try {
      f = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("dpf serve-api: " + e.getMessage());
      return 2;
    }
    EmbeddedApiServer.Options options =
        EmbeddedApiServer.Options.defaults()
            .withPort(f.port())
            .withSimulatedCluster(f.simulate())
            .withPodRunTime(f.podRunTime())
            .withNodeName(f.nodeName());
    EmbeddedApiServer server;
    try {
      server = new EmbeddedApiServer(options).start();
    } catch (RuntimeException e) {
      err.println("dpf serve-api: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  out.println("dpf serve-api: stopped");
                  out.flush();
                  stopped.countDown();
                },
                "serve-api-shutdown"));
    out.println("dpf serve-api: listening on " + server.url());
    if (f.simulate()) {
      out.println(
          "dpf serve-api: simulating node "
              + f.nodeName()
              + " (scheduler, kubelet, Job controller); pods run "
              + f.podRunTime().toMillis()
              + " ms");
    }
    if (f.kubeconfig() != null) {
      server.writeKubeconfig(f.kubeconfig(), f.context());
      out.println(
          "dpf serve-api: kubeconfig "
              + f.kubeconfig().toAbsolutePath()
              + " (context "
              + f.context()
              + "); try: KUBECONFIG="
              + f.kubeconfig().toAbsolutePath()
              + " kubectl get pb -A");
    }
    out.flush();
    stopped.await();
    return 0;
  }
}
