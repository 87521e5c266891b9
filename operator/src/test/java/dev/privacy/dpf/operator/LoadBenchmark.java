package dev.privacy.dpf.operator;

import dev.privacy.dpf.crds.PrivacyClaim;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Claim creation to Allocated through the embedded API server, at steady rates: prints the median
 * and p99 latency and the API writes per grant for each rate. Each claim demands 0.1 on 3 of 200
 * blocks (DPF-N, N = 100), so every claim fits when it arrives and the figures measure the
 * operator, not the queue. Each rate gets a fresh API server and operator, a 10 s warm-up at the
 * same rate (not measured: the JIT compiles the paths), then the measured run.
 *
 * <pre>./mvnw -B -ntp -pl operator test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.privacy.dpf.operator.LoadBenchmark -Dexec.args="20 30 40"</pre>
 *
 * Arguments: the rates (claims per second). {@code -Dload.seconds=30} sets the measured length,
 * {@code -Dload.noEvents=true} turns the operator's Kubernetes Events off.
 */
public final class LoadBenchmark {
  private LoadBenchmark() {}

  public static void main(String[] args) throws Exception {
    int seconds = Integer.getInteger("load.seconds", 30);
    int[] rates =
        args.length == 0
            ? new int[] {20, 30, 40}
            : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    System.out.printf(
        "%8s %8s %10s %10s %10s %14s %16s%n",
        "rate/s", "claims", "median ms", "p99 ms", "max ms", "writes/grant", "p99 per 5 s");
    for (int rate : rates) {
      run(rate, seconds);
    }
    System.exit(0);
  }

  private static void run(int rate, int seconds) throws Exception {
    try (TestCluster k = new TestCluster()) {
      DpfOperator op =
          k.start(
              TestCluster.config()
                  .withN(100)
                  .withHealthPort(-1)
                  .withEvents(!Boolean.getBoolean("load.noEvents")));
      Load.blocks(k.client, "ml", 200);
      k.awaitSeen("ml", Load.name(0), Load.name(199));
      Map<String, Long> granted = new ConcurrentHashMap<>();
      op.scheduler().onGrant(key -> granted.put(key, System.nanoTime()));
      Random r = new Random(rate);
      load(k, "warm", rate, 10, r, granted);
      Api api = op.scheduler().api();
      long writes0 = api.blockWrites.get() + api.claimWrites.get();
      long grants0 = op.scheduler().grants.get();
      Map<String, Long> created = load(k, "c", rate, seconds, r, granted);
      long[] lat =
          created.entrySet().stream()
              .filter(e -> granted.containsKey(e.getKey()))
              .mapToLong(e -> granted.get(e.getKey()) - e.getValue())
              .sorted()
              .toArray();
      long t0 = created.values().stream().mapToLong(Long::longValue).min().orElse(0);
      Map<Long, List<Long>> bySlot = new TreeMap<>();
      created.forEach(
          (key, c) -> {
            Long g = granted.get(key);
            if (g != null) {
              bySlot.computeIfAbsent((c - t0) / 5_000_000_000L, x -> new ArrayList<>()).add(g - c);
            }
          });
      StringBuilder slots = new StringBuilder();
      bySlot.forEach(
          (slot, l) -> {
            l.sort(null);
            slots.append(String.format(" %.0f", ms(l.get((int) (l.size() * 0.99)))));
          });
      long writes = api.blockWrites.get() + api.claimWrites.get() - writes0;
      long grants = op.scheduler().grants.get() - grants0;
      System.out.printf(
          "%8d %8d %10.1f %10.1f %10.1f %14.2f  %s%n",
          rate,
          lat.length,
          ms(lat[lat.length / 2]),
          ms(lat[(int) Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)]),
          ms(lat[lat.length - 1]),
          writes / (double) grants,
          slots.toString().trim());
    }
  }

  /** Creates {@code rate * seconds} claims at a steady rate; waits for their grants. */
  private static Map<String, Long> load(
      TestCluster k, String prefix, int rate, int seconds, Random r, Map<String, Long> granted)
      throws InterruptedException {
    int total = rate * seconds;
    List<PrivacyClaim> claims = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      claims.add(Load.claim("ml", prefix + i, 200, 3, r));
    }
    Map<String, Long> created = new ConcurrentHashMap<>();
    ScheduledExecutorService ex = Executors.newScheduledThreadPool(8);
    long periodNanos = 1_000_000_000L / rate;
    for (int i = 0; i < total; i++) {
      PrivacyClaim c = claims.get(i);
      ex.schedule(
          () -> {
            created.put("ml/" + c.getMetadata().getName(), System.nanoTime());
            k.client.resource(c).create();
          },
          i * periodNanos,
          TimeUnit.NANOSECONDS);
    }
    ex.shutdown();
    ex.awaitTermination(seconds + 120L, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!granted.keySet().containsAll(created.keySet()) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    return created;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
