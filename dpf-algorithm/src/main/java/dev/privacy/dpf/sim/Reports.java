package dev.privacy.dpf.sim;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CSV files and the Markdown table of a sweep. Rows follow the order of the runs and numbers
 * are printed with a fixed format, so the same sweep and seeds give the same bytes.
 */
final class Reports {

  private Reports() {}

  static final String RESULTS_HEADER =
      "experiment,accounting,policy,n,t_s,mice_pct,seed,arrived,arrived_mice,arrived_elephants,"
          + "arrived_multi_block,granted,granted_mice,granted_elephants,granted_multi_block,denied,"
          + "delay_mean_s,delay_p50_s,delay_p90_s,delay_p99_s,delay_max_s";

  static final String SUMMARY_HEADER =
      "experiment,accounting,policy,n,t_s,mice_pct,seeds,granted_mean,granted_sd,"
          + "granted_mice_mean,granted_elephants_mean,granted_multi_block_mean,"
          + "delay_p50_s_mean,delay_p99_s_mean";

  static final String DELAYS_HEADER =
      "experiment,accounting,policy,n,mice_pct,seed,percentile,delay_s";

  /** One row per run. */
  static String results(List<Sweep.Outcome> outcomes) {
    StringBuilder b = new StringBuilder(RESULTS_HEADER).append('\n');
    for (Sweep.Outcome o : outcomes) {
      RunResult r = o.result();
      b.append(key(o.run()))
          .append(',')
          .append(o.run().seed())
          .append(',')
          .append(r.arrived())
          .append(',')
          .append(r.arrivedMice())
          .append(',')
          .append(r.arrivedElephants())
          .append(',')
          .append(r.arrivedMultiBlock())
          .append(',')
          .append(r.granted())
          .append(',')
          .append(r.grantedMice())
          .append(',')
          .append(r.grantedElephants())
          .append(',')
          .append(r.grantedMultiBlock())
          .append(',')
          .append(r.denied())
          .append(',')
          .append(seconds(r.meanDelaySeconds()))
          .append(',')
          .append(seconds(r.delayPercentileSeconds(50)))
          .append(',')
          .append(seconds(r.delayPercentileSeconds(90)))
          .append(',')
          .append(seconds(r.delayPercentileSeconds(99)))
          .append(',')
          .append(seconds(r.delayPercentileSeconds(100)))
          .append('\n');
    }
    return b.toString();
  }

  /** One row per point (all but the seed), averaged over seeds. */
  static String summary(List<Sweep.Outcome> outcomes) {
    StringBuilder b = new StringBuilder(SUMMARY_HEADER).append('\n');
    for (Map.Entry<String, List<Sweep.Outcome>> e : groups(outcomes).entrySet()) {
      List<Sweep.Outcome> g = e.getValue();
      double[] granted = g.stream().mapToDouble(o -> o.result().granted()).toArray();
      b.append(e.getKey())
          .append(',')
          .append(g.size())
          .append(',')
          .append(fixed(mean(granted)))
          .append(',')
          .append(fixed(sd(granted)))
          .append(',')
          .append(fixed(mean(g.stream().mapToDouble(o -> o.result().grantedMice()).toArray())))
          .append(',')
          .append(fixed(mean(g.stream().mapToDouble(o -> o.result().grantedElephants()).toArray())))
          .append(',')
          .append(
              fixed(mean(g.stream().mapToDouble(o -> o.result().grantedMultiBlock()).toArray())))
          .append(',')
          .append(
              seconds(
                  meanOfFinite(
                      g.stream()
                          .mapToDouble(o -> o.result().delayPercentileSeconds(50))
                          .toArray())))
          .append(',')
          .append(
              seconds(
                  meanOfFinite(
                      g.stream()
                          .mapToDouble(o -> o.result().delayPercentileSeconds(99))
                          .toArray())))
          .append('\n');
    }
    return b.toString();
  }

  /** The delay at each percentile 0..100 of each run that granted something. */
  static String delays(List<Sweep.Outcome> outcomes) {
    StringBuilder b = new StringBuilder(DELAYS_HEADER).append('\n');
    for (Sweep.Outcome o : outcomes) {
      Sweep.Run r = o.run();
      if (o.result().granted() == 0) {
        continue;
      }
      String prefix =
          String.join(
                  ",",
                  r.experiment(),
                  r.workload().accounting().label(),
                  r.policy().name(),
                  r.policy().parameterized() ? Integer.toString(r.n()) : "",
                  Sweep.percent(r.workload().miceFraction()),
                  Long.toString(r.seed()))
              + ",";
      for (int p = 0; p <= 100; p++) {
        b.append(prefix)
            .append(p)
            .append(',')
            .append(seconds(o.result().delayPercentileSeconds(p)))
            .append('\n');
      }
    }
    return b.toString();
  }

  /**
   * A Markdown table per accounting and fraction of mice: mean granted claims per N (rows) and
   * policy (columns), "granted (mice/elephants)".
   */
  static String table(List<Sweep.Outcome> outcomes) {
    Map<String, Map<String, Map<Integer, List<RunResult>>>> by = new LinkedHashMap<>();
    for (Sweep.Outcome o : outcomes) {
      Sweep.Run r = o.run();
      String section =
          r.workload().accounting().label() + ", " + Sweep.percent(r.workload().miceFraction());
      by.computeIfAbsent(section, k -> new LinkedHashMap<>())
          .computeIfAbsent(r.policy().name(), k -> new LinkedHashMap<>())
          .computeIfAbsent(r.policy().parameterized() ? r.n() : -1, k -> new ArrayList<>())
          .add(o.result());
    }
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, Map<String, Map<Integer, List<RunResult>>>> s : by.entrySet()) {
      Map<String, Map<Integer, List<RunResult>>> policies = s.getValue();
      Set<Integer> ns = new TreeSet<>();
      policies.values().forEach(m -> ns.addAll(m.keySet()));
      ns.remove(-1);
      if (ns.isEmpty()) {
        ns.add(-1);
      }
      b.append("\nGranted claims, mean over seeds: total (mice / elephants); ")
          .append(s.getKey())
          .append("% mice\n\n| N |");
      for (String p : policies.keySet()) {
        b.append(' ').append(p).append(" |");
      }
      b.append("\n|---:|");
      policies.keySet().forEach(p -> b.append("---:|"));
      b.append('\n');
      for (int n : ns) {
        b.append("| ").append(n < 0 ? "-" : Integer.toString(n)).append(" |");
        for (Map<Integer, List<RunResult>> m : policies.values()) {
          List<RunResult> rs = m.containsKey(-1) ? m.get(-1) : m.get(n);
          if (rs == null) {
            b.append(" |");
            continue;
          }
          b.append(' ')
              .append(oneDecimal(rs.stream().mapToDouble(RunResult::granted).average().orElse(0)))
              .append(" (")
              .append(
                  oneDecimal(rs.stream().mapToDouble(RunResult::grantedMice).average().orElse(0)))
              .append(" / ")
              .append(
                  oneDecimal(
                      rs.stream().mapToDouble(RunResult::grantedElephants).average().orElse(0)))
              .append(") |");
        }
        b.append('\n');
      }
    }
    return b.toString();
  }

  static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, content.getBytes(StandardCharsets.UTF_8));
  }

  /** The columns that identify a point, without the seed. */
  private static String key(Sweep.Run r) {
    java.time.Duration t = r.lifetime();
    return String.join(
        ",",
        r.experiment(),
        r.workload().accounting().label(),
        r.policy().name(),
        r.policy().parameterized() ? Integer.toString(r.n()) : "",
        t == null ? "" : Sweep.formatSeconds(t).replace("s", ""),
        Sweep.percent(r.workload().miceFraction()));
  }

  private static Map<String, List<Sweep.Outcome>> groups(List<Sweep.Outcome> outcomes) {
    Map<String, List<Sweep.Outcome>> g = new LinkedHashMap<>();
    for (Sweep.Outcome o : outcomes) {
      g.computeIfAbsent(key(o.run()), k -> new ArrayList<>()).add(o);
    }
    return g;
  }

  /** The distinct values of a field, in order of first appearance. */
  static <T> List<T> distinct(
      List<Sweep.Outcome> outcomes, java.util.function.Function<Sweep.Outcome, T> f) {
    Set<T> s = new LinkedHashSet<>();
    outcomes.forEach(o -> s.add(f.apply(o)));
    return new ArrayList<>(s);
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return v.length == 0 ? Double.NaN : s / v.length;
  }

  private static double sd(double[] v) {
    if (v.length < 2) {
      return 0;
    }
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / (v.length - 1));
  }

  private static double meanOfFinite(double[] v) {
    return mean(java.util.Arrays.stream(v).filter(Double::isFinite).toArray());
  }

  private static String seconds(double s) {
    return Double.isFinite(s) ? String.format(Locale.ROOT, "%.6f", s) : "";
  }

  private static String fixed(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "";
  }

  private static String oneDecimal(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
