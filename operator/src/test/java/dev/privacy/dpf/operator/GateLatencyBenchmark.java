package dev.privacy.dpf.operator;

import dev.privacy.dpf.crds.DpfApi;
import dev.privacy.dpf.crds.PrivacyClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The time from a claim's Allocated (its status write returned) to the last of its pods released
 * (the patch that removed its gate returned), through the embedded API server: claims of 8 gated
 * pods arriving at a steady rate. Prints the median, p99 and max over claims, and over pods. Each
 * claim demands 0.1 on 3 of 200 blocks (DPF-N, N = 100), so it is granted when it arrives.
 *
 * <pre>./mvnw -B -ntp -pl operator test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.privacy.dpf.operator.GateLatencyBenchmark -Dexec.args="504 4"</pre>
 *
 * Arguments: how many pods are measured (in claims of 8; default 504, i.e. 63 claims) and the
 * claims per second (default 4, i.e. 32 pods/s). A warm-up of 25 claims comes first.
 */
public final class GateLatencyBenchmark {
  private GateLatencyBenchmark() {}

  static final int PODS_PER_CLAIM = 8;

  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 504;
    double rate = args.length > 1 ? Double.parseDouble(args[1]) : 4;
    int claims = (pods + PODS_PER_CLAIM - 1) / PODS_PER_CLAIM;
    try (TestCluster k = new TestCluster()) {
      DpfOperator op = k.start(TestCluster.config().withN(100));
      Load.blocks(k.client, "ml", 200);
      k.awaitSeen("ml", Load.name(0), Load.name(199));
      Map<String, Long> allocated = new ConcurrentHashMap<>();
      Map<String, Long> lastReleased = new ConcurrentHashMap<>();
      Map<String, Long> podReleased = new ConcurrentHashMap<>();
      op.scheduler()
          .gates()
          .onRelease(
              new GateController.ReleaseListener() {
                @Override
                public void allocated(String claimKey, long nanos) {
                  allocated.putIfAbsent(claimKey, nanos);
                }

                @Override
                public void released(Pod pod, long nanos) {
                  lastReleased.merge(Workloads.claimKey(pod), nanos, Math::max);
                  podReleased.put(Api.key(pod), nanos);
                }
              });
      Random r = new Random(7);
      run(k, "warm", 25, rate, r, lastReleased);
      allocated.clear();
      podReleased.clear();
      List<String> keys = run(k, "c", claims, rate, r, lastReleased);
      long[] perClaim =
          keys.stream()
              .filter(key -> allocated.containsKey(key) && lastReleased.containsKey(key))
              .mapToLong(key -> lastReleased.get(key) - allocated.get(key))
              .sorted()
              .toArray();
      java.util.Set<String> measured = new java.util.HashSet<>(keys);
      long[] perPod =
          podReleased.entrySet().stream()
              .filter(e -> measured.contains("ml/" + claimOf(e.getKey())))
              .filter(e -> allocated.containsKey("ml/" + claimOf(e.getKey())))
              .mapToLong(e -> e.getValue() - allocated.get("ml/" + claimOf(e.getKey())))
              .sorted()
              .toArray();
      System.out.printf(
          "%d claims of %d pods (%d pods released) at %.1f claims/s%n",
          perClaim.length, PODS_PER_CLAIM, perPod.length, rate);
      System.out.printf(
          "Allocated -> last gate removed, per claim: median %.1f ms, p99 %.1f ms, max %.1f ms%n",
          ms(perClaim, 0.5), ms(perClaim, 0.99), ms(perClaim, 1.0));
      System.out.printf(
          "Allocated -> gate removed, per pod:        median %.1f ms, p99 %.1f ms, max %.1f ms%n",
          ms(perPod, 0.5), ms(perPod, 0.99), ms(perPod, 1.0));
    }
    System.exit(0);
  }

  private static String claimOf(String podKey) {
    String name = podKey.substring(podKey.indexOf('/') + 1);
    return name.substring(0, name.lastIndexOf('-'));
  }

  /** Creates {@code n} claims with their 8 gated pods at {@code rate}; waits for the releases. */
  private static List<String> run(
      TestCluster k, String prefix, int n, double rate, Random r, Map<String, Long> released)
      throws InterruptedException {
    List<String> keys = new ArrayList<>();
    ScheduledExecutorService ex = Executors.newScheduledThreadPool(4);
    long period = (long) (1e9 / rate);
    for (int i = 0; i < n; i++) {
      String name = prefix + i;
      keys.add("ml/" + name);
      PrivacyClaim c = Load.claim("ml", name, 200, 3, r);
      ex.schedule(
          () -> {
            for (int p = 0; p < PODS_PER_CLAIM; p++) {
              k.client.resource(pod(name + "-" + p, name)).create();
            }
            k.client.resource(c).create();
          },
          i * period,
          TimeUnit.NANOSECONDS);
    }
    ex.shutdown();
    ex.awaitTermination((long) (n / rate) + 120, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!released.keySet().containsAll(keys) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return keys;
  }

  static Pod pod(String name, String claim) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace("ml")
        .addToLabels(DpfApi.LABEL_CLAIM, claim)
        .endMetadata()
        .withNewSpec()
        .addNewSchedulingGate(DpfApi.GATE_BUDGET)
        .addNewContainer()
        .withName("trainer")
        .withImage("trainer")
        .endContainer()
        .endSpec()
        .build();
  }

  private static double ms(long[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1));
    return sorted[i] / 1e6;
  }
}
