package dev.privacy.dpf.operator.demo;

import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import dev.privacy.dpf.operator.DpfOperator;
import dev.privacy.dpf.operator.OperatorConfig;
import dev.privacy.dpf.operator.embedded.EmbeddedApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * {@code java -jar dpf-operator.jar demo}: the whole system on one machine, without a cluster. It
 * starts the embedded API server with its stand-ins for the scheduler, a GPU node's kubelet and the
 * Job controller, runs the operator against it (webhooks included, called by the API server over
 * HTTPS), applies the files of {@code examples/} as the three personas would, and prints what
 * happens: claims going Pending, Allocated, Consumed; the training Job's pods gated, then released
 * and run; the budget left on each block. Then it acts as the ML engineer once more (a job that
 * reports a smaller spend, a claim cancelled), prints a summary, and keeps serving for {@code
 * kubectl} until Ctrl-C ({@code --exit-when-done} stops instead).
 */
public final class Demo {
  private final Flags flags;
  private final PrintStream out;
  private final long t0 = System.nanoTime();

  /** The parsed command line; operator flags are handed to the operator as they are. */
  record Flags(
      boolean exitWhenDone,
      Path examples,
      Path kubeconfig,
      int port,
      Duration podRunTime,
      Duration timeout,
      List<String> operatorArgs) {}

  Demo(Flags flags, PrintStream out) {
    this.flags = flags;
    this.out = out;
  }

  static String help() {
    return """
        Usage: java -jar dpf-operator.jar demo [flags] [operator flags]

        Starts an embedded Kubernetes API server (an in-memory stand-in, see docs/embedded.md) with a
        simulated GPU node, runs the DPF operator against it, applies examples/, and shows the claims,
        the gated training pods and the blocks' budget as they change. Then it keeps serving, so
        that kubectl can look (the kubeconfig path is printed), until Ctrl-C.

          --exit-when-done       stop once the demo is over (for scripts); exit code 0 if it ended
                                 as expected
          --examples=DIR         the YAML files to apply, in name order (default examples)
          --kubeconfig=FILE      where to write the kubeconfig (default: a dpf-demo folder in the
                                 temporary directory)
          --port=N               the API server's port (default 0: a free one)
          --pod-run-time=DUR     how long a simulated training pod runs (default 4s)
          --timeout=DUR          give up if the demo has not ended by then (default 3m)
          --help                 this text

        Operator flags (--policy=..., --n=..., --lifetime=..., see java -jar dpf-operator.jar --help)
        go to the operator. The demo's defaults: --policy=dpf-t --lifetime=45s, so that budget
        unlocks while you watch.
        """;
  }

  static Flags parse(String[] args) {
    boolean exit = false;
    Path examples = Paths.get("examples");
    Path kubeconfig = Paths.get(System.getProperty("java.io.tmpdir"), "dpf-demo", "kubeconfig");
    int port = 0;
    Duration runTime = Duration.ofSeconds(4);
    Duration timeout = Duration.ofMinutes(3);
    List<String> op = new ArrayList<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      String name = eq < 0 ? a : a.substring(0, eq);
      String value = eq < 0 ? "" : a.substring(eq + 1);
      switch (name) {
        case "--exit-when-done" -> exit = value.isEmpty() || Boolean.parseBoolean(value);
        case "--examples" -> examples = Paths.get(required(name, value));
        case "--kubeconfig" -> kubeconfig = Paths.get(required(name, value));
        case "--port" -> {
          try {
            port = Integer.parseInt(required(name, value));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "--port must be a port number, got \"" + value + "\"");
          }
        }
        case "--pod-run-time" -> runTime = duration(name, value);
        case "--timeout" -> timeout = duration(name, value);
        default -> op.add(a);
      }
    }
    if (!Files.isDirectory(examples)) {
      throw new IllegalArgumentException(
          "--examples="
              + examples
              + ": no such directory (run the demo from the repository's root, or pass"
              + " --examples=<repository>/examples)");
    }
    return new Flags(exit, examples, kubeconfig, port, runTime, timeout, List.copyOf(op));
  }

  private static String required(String name, String value) {
    if (value.isEmpty()) {
      throw new IllegalArgumentException(name + " needs a value (" + name + "=...)");
    }
    return value;
  }

  private static Duration duration(String name, String value) {
    try {
      return dev.privacy.dpf.crds.validation.Durations.parse(required(name, value));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          name + " must be a duration such as 4s or 2m, got \"" + value + "\"");
    }
  }

  public static void main(String[] args) throws Exception {
    // the operator's own log would drown the demo's lines: warnings only, unless asked otherwise
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
      // fabric8 warns that v1alpha1 is not a stable version: we know
      System.setProperty(
          "org.slf4j.simpleLogger.log.io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils",
          "error");
    }
    if (List.of(args).contains("--help")) {
      System.out.print(help());
      return;
    }
    Flags f;
    OperatorConfig cfg;
    try {
      f = parse(args);
      cfg = operatorConfig(f);
    } catch (IllegalArgumentException e) {
      System.err.println("dpf demo: " + e.getMessage());
      System.exit(2);
      return;
    }
    int code = new Demo(f, System.out).run(cfg);
    if (f.exitWhenDone()) {
      System.exit(code);
    }
  }

  /** The operator's settings: the demo's defaults, then the user's operator flags. */
  static OperatorConfig operatorConfig(Flags f) {
    List<String> a = new ArrayList<>();
    a.add("--policy=dpf-t");
    a.add("--lifetime=45s");
    a.add("--resync-period=1s");
    a.add("--health-port=0");
    a.add("--webhook-port=0");
    a.add("--webhook-hosts=localhost");
    a.add("--webhook-namespace=dpf-system");
    a.add("--identity=dpf-demo");
    a.addAll(f.operatorArgs());
    Map<String, String> last = new LinkedHashMap<>();
    for (String s : a) {
      int eq = s.indexOf('=');
      last.put(eq < 0 ? s : s.substring(0, eq), s);
    }
    return OperatorConfig.parse(last.values().toArray(String[]::new), Map.of());
  }

  /** Runs the demo; returns 0 if it ended as expected. */
  int run(OperatorConfig cfg) throws Exception {
    say(
        "DPF demo: an embedded API server with a simulated GPU node, the operator (%s%s),"
            + " and examples/",
        cfg.policy(),
        cfg.policy().equals("dpf-t")
            ? ", budget unlocking over " + cfg.lifetime().toSeconds() + " s"
            : cfg.policy().equals("dpf-n") ? ", N = " + cfg.n() : "");
    EmbeddedApiServer api =
        new EmbeddedApiServer(
                EmbeddedApiServer.Options.defaults()
                    .withPort(flags.port())
                    .withSimulatedCluster(true)
                    .withPodRunTime(flags.podRunTime())
                    .withNodeName("gpu-node-1"))
            .start();
    KubernetesClient client = api.client();
    Files.createDirectories(flags.kubeconfig().toAbsolutePath().getParent());
    api.writeKubeconfig(flags.kubeconfig(), "dpf-demo");
    DpfOperator op = new DpfOperator(api.client(), cfg).start();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  op.close();
                  api.close();
                  stop.countDown();
                },
                "dpf-demo-shutdown"));
    say("API server %s; kubeconfig %s", api.url(), flags.kubeconfig().toAbsolutePath());
    for (HasMetadata c : WebhookConfigurations.calledByUrl(op.webhookPort())) {
      client.resource(c).create();
    }
    WebhookConfigurations.awaitCaBundles(client, Duration.ofSeconds(30));
    say(
        "webhooks registered (https://localhost:%d, the operator's own CA in their caBundle)",
        op.webhookPort());

    Watcher w = new Watcher(client);
    for (Path file : examples()) {
      apply(client, file);
      w.poll(false);
    }
    boolean ok = follow(client, w);
    w.poll(false);
    summary(client);
    if (!ok) {
      say("the demo did not end as expected within %s (see above)", flags.timeout());
    }
    say(
        "done. The cluster is still here: KUBECONFIG=%s kubectl get pb,pcl -A",
        flags.kubeconfig().toAbsolutePath());
    if (flags.exitWhenDone()) {
      return ok ? 0 : 1;
    }
    say("serving until Ctrl-C");
    stop.await();
    return 0;
  }

  private List<Path> examples() throws IOException {
    try (Stream<Path> s = Files.list(flags.examples())) {
      return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  private void apply(KubernetesClient client, Path file) throws IOException {
    Object parsed = Serialization.unmarshal(Files.readString(file));
    List<HasMetadata> objects = new ArrayList<>();
    if (parsed instanceof List<?> l) {
      l.forEach(o -> objects.add((HasMetadata) o));
    } else {
      objects.add((HasMetadata) parsed);
    }
    for (HasMetadata o : objects) {
      String what = o.getKind() + " " + name(o);
      try {
        client.resource(o).create();
        say("applied %-28s %s", flags.examples().relativize(file).toString(), what);
      } catch (KubernetesClientException e) {
        say("applied %-28s %s: refused: %s", file.getFileName(), what, e.getMessage());
      }
    }
  }

  /**
   * Follows the run: waits for the training Job's claim to be Consumed, then acts as the ML
   * engineer (reports a smaller spend on one claim, cancels another), and waits until nothing is
   * left to happen.
   */
  private boolean follow(KubernetesClient client, Watcher w) throws InterruptedException {
    long deadline = System.nanoTime() + flags.timeout().toNanos();
    boolean acted = false;
    while (System.nanoTime() < deadline) {
      w.poll(true);
      ClaimPhase trainer = w.phase("ml-team/train-ranker");
      if (!acted && trainer == ClaimPhase.Consumed) {
        acted = true;
        actAsEngineer(client, w);
      }
      if (acted && w.settled()) {
        return true;
      }
      Thread.sleep(250);
    }
    return false;
  }

  private void actAsEngineer(KubernetesClient client, Watcher w) {
    say("-- the ML engineer again: a job that spent less reports it, and an unused claim goes --");
    for (String key : w.claims.keySet()) {
      ClaimState c = w.claims.get(key);
      if (c.phase != ClaimPhase.Allocated) {
        continue;
      }
      String ns = key.substring(0, key.indexOf('/'));
      String name = key.substring(key.indexOf('/') + 1);
      if (name.equals("clicks-curve")) {
        // the job ran half its steps: it reports half the curve it claimed
        PrivacyClaim pc = client.resources(PrivacyClaim.class).inNamespace(ns).withName(name).get();
        var spent = Serialization.clone(pc.getSpec().getDemand());
        List<Double> half = new ArrayList<>();
        spent.getRdp().getEpsilons().forEach(e -> half.add(e / 2));
        spent.getRdp().setEpsilons(half);
        pc.getSpec().setSpent(spent);
        client.resource(pc).update();
        say("reported  %-36s spec.spent = half of its curve", key);
      } else if (name.equals("recent-dashboard")) {
        client.resources(PrivacyClaim.class).inNamespace(ns).withName(name).delete();
        say("deleted   %-36s (no pod ever ran on it)", key);
      }
    }
  }

  private void summary(KubernetesClient client) {
    out.println();
    out.println("Claims:");
    out.printf("  %-30s %-10s %-18s %s%n", "CLAIM", "PHASE", "REASON", "EPSILON");
    List<PrivacyClaim> claims =
        new ArrayList<>(client.resources(PrivacyClaim.class).inAnyNamespace().list().getItems());
    claims.sort(Comparator.comparing(Demo::name));
    for (PrivacyClaim c : claims) {
      out.printf(
          "  %-30s %-10s %-18s %s%n",
          name(c),
          c.getStatus() == null ? "-" : c.getStatus().getPhase(),
          c.getStatus() == null ? "-" : Objects.toString(c.getStatus().getReason(), "-"),
          c.getStatus() == null || c.getStatus().getEpsilon() == null
              ? "-"
              : fmt(c.getStatus().getEpsilon()));
    }
    out.println();
    out.println(
        "Blocks (epsilon; under Renyi accounting at the block's best order; AVAILABLE: unlocked"
            + " and not held by a claim):");
    out.printf(
        "  %-32s %-10s %-8s %8s %10s %10s %-10s%n",
        "BLOCK", "DATASET", "ACCOUNT", "BUDGET", "AVAILABLE", "CONSUMED", "PHASE");
    List<PrivateBlock> blocks =
        new ArrayList<>(client.resources(PrivateBlock.class).inAnyNamespace().list().getItems());
    blocks.sort(Comparator.comparing(Demo::name));
    for (PrivateBlock b : blocks) {
      var st = b.getStatus();
      out.printf(
          "  %-32s %-10s %-8s %8s %10s %10s %-10s%n",
          name(b),
          b.getSpec().getDataset(),
          st == null || st.getAccounting() == null ? "-" : st.getAccounting(),
          fmt(b.getSpec().getBudget().getEpsilon()),
          st == null || st.getRemainingEpsilon() == null ? "-" : fmt(st.getRemainingEpsilon()),
          st == null || st.getConsumedEpsilon() == null ? "-" : fmt(st.getConsumedEpsilon()),
          st == null ? "-" : Objects.toString(st.getPhase(), "-"));
    }
    out.println();
  }

  // ---------------------------------------------------------------------------------------------
  // what changed

  private record ClaimState(ClaimPhase phase, String reason, String message) {}

  /** Polls claims, pods, Jobs and blocks; prints what changed since the last poll. */
  private final class Watcher {
    private final KubernetesClient client;
    final Map<String, ClaimState> claims = new TreeMap<>();
    private final Map<String, String> pods = new TreeMap<>();
    private final Map<String, String> jobs = new TreeMap<>();
    private final Map<String, String> blocks = new TreeMap<>();
    private long lastChange = System.nanoTime();

    Watcher(KubernetesClient client) {
      this.client = client;
    }

    ClaimPhase phase(String key) {
      ClaimState s = claims.get(key);
      return s == null ? null : s.phase;
    }

    /** Nothing pending, nothing running, and no change for 3 s. */
    boolean settled() {
      boolean busy =
          claims.values().stream().anyMatch(c -> c.phase == null || c.phase == ClaimPhase.Pending)
              || pods.values().stream().anyMatch(s -> s.equals("Running") || s.equals("Pending"))
              || claims.containsKey("ml-team/recent-dashboard");
      return !busy && System.nanoTime() - lastChange > 3_000_000_000L;
    }

    void poll(boolean blocksToo) {
      Map<String, ClaimState> nowClaims = new TreeMap<>();
      for (PrivacyClaim c :
          client.resources(PrivacyClaim.class).inAnyNamespace().list().getItems()) {
        var st = c.getStatus();
        nowClaims.put(
            name(c),
            new ClaimState(
                st == null ? null : st.getPhase(),
                st == null ? null : st.getReason(),
                st == null ? null : st.getMessage()));
      }
      nowClaims.forEach(
          (k, s) -> {
            ClaimState was = claims.get(k);
            if (s.phase != null
                && (was == null || was.phase != s.phase || !Objects.equals(was.reason, s.reason))) {
              changed();
              say(
                  "claim     %-36s %-9s %s",
                  k,
                  s.phase,
                  s.phase == ClaimPhase.Allocated
                      ? "granted on all its blocks at once"
                      : Objects.toString(s.message, ""));
            }
          });
      claims.keySet().stream()
          .filter(k -> !nowClaims.containsKey(k))
          .toList()
          .forEach(
              k -> {
                changed();
                say("claim     %-36s gone (its finalizer is removed: the ledger is settled)", k);
              });
      claims.clear();
      claims.putAll(nowClaims);

      Map<String, String> nowPods = new TreeMap<>();
      for (Pod p : client.pods().inAnyNamespace().withLabel(DpfApi.LABEL_CLAIM).list().getItems()) {
        nowPods.put(name(p), podState(p));
      }
      diff("pod", pods, nowPods);
      Map<String, String> nowJobs = new TreeMap<>();
      for (Job j : client.batch().v1().jobs().inAnyNamespace().list().getItems()) {
        nowJobs.put(name(j), jobState(j));
      }
      diff("job", jobs, nowJobs);
      if (blocksToo) {
        Map<String, String> nowBlocks = new TreeMap<>();
        for (PrivateBlock b :
            client.resources(PrivateBlock.class).inAnyNamespace().list().getItems()) {
          var st = b.getStatus();
          if (st != null && st.getConsumedEpsilon() != null && st.getConsumedEpsilon() > 0) {
            nowBlocks.put(
                name(b), "consumed epsilon " + fmt(st.getConsumedEpsilon()) + ", for good");
          }
        }
        diff("block", blocks, nowBlocks);
      }
    }

    private void diff(String kind, Map<String, String> was, Map<String, String> now) {
      now.forEach(
          (k, v) -> {
            if (!Objects.equals(was.get(k), v)) {
              changed();
              say("%-9s %-36s %s", kind, k, v);
            }
          });
      was.clear();
      was.putAll(now);
    }

    private void changed() {
      lastChange = System.nanoTime();
    }
  }

  private static String podState(Pod p) {
    boolean gated =
        p.getSpec().getSchedulingGates() != null
            && p.getSpec().getSchedulingGates().stream()
                .anyMatch(g -> DpfApi.GATE_BUDGET.equals(g.getName()));
    String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
    if (gated) {
      String why =
          p.getMetadata().getAnnotations() == null
              ? null
              : p.getMetadata().getAnnotations().get(DpfApi.ANNOTATION_GATE_REASON);
      return "SchedulingGated (gate " + DpfApi.GATE_BUDGET + ")" + (why == null ? "" : ": " + why);
    }
    boolean released =
        p.getMetadata().getAnnotations() != null
            && p.getMetadata().getAnnotations().containsKey(DpfApi.ANNOTATION_CLAIM_UID);
    if (phase == null || phase.equals("Pending")) {
      return released ? "released (the budget gate is removed), waiting for the node" : "Pending";
    }
    return phase;
  }

  private static String jobState(Job j) {
    if (j.getStatus() != null && j.getStatus().getConditions() != null) {
      for (var c : j.getStatus().getConditions()) {
        if ("True".equals(c.getStatus())
            && ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))) {
          return c.getType();
        }
      }
    }
    int active =
        j.getStatus() == null || j.getStatus().getActive() == null ? 0 : j.getStatus().getActive();
    return active > 0 ? "active: " + active + " pod(s)" : "created";
  }

  // ---------------------------------------------------------------------------------------------

  private static String name(HasMetadata o) {
    return o.getMetadata().getNamespace() == null
        ? o.getMetadata().getName()
        : o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  private static String fmt(Double d) {
    if (d == null) {
      return "-";
    }
    String s = String.format(Locale.ROOT, "%.4f", d);
    s = s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    return s;
  }

  private void say(String format, Object... args) {
    double t = (System.nanoTime() - t0) / 1e9;
    out.printf(Locale.ROOT, "[%5.1fs] %s%n", t, String.format(Locale.ROOT, format, args));
    out.flush();
  }
}
