package dev.privacy.dpf.sim;

import dev.privacy.dpf.budget.Conversion;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The experiments of docs/evaluation.md: a workload family and the sweep the paper ran on it
 * (REFERENCE section 3). Each one is a figure's sweep: policies x N (or T = N x the arrival
 * interval) x seeds x fractions of mice x accountings.
 *
 * @param name the name used on the command line and for the output folder
 * @param title a title for plots
 * @param accountings the accountings it runs under (Rényi ones take the conversion from the command
 *     line)
 * @param policies the policies it runs by default
 * @param ns the values of N of the full sweep
 * @param quickNs the values of N of {@code --quick}
 * @param mice the fractions of mice of the full sweep
 * @param seeds the number of seeds of the full sweep (seeds 1..seeds)
 * @param representativeN the N of the delay CDF plot
 * @param workload builds the workload from an accounting and a fraction of mice
 */
public record Experiment(
    String name,
    String title,
    List<Accounting> accountings,
    List<String> policies,
    List<Integer> ns,
    List<Integer> quickNs,
    List<Double> mice,
    int seeds,
    int representativeN,
    BiFunction<Accounting, Double, Workload> workload) {

  private static final List<Double> SINGLE_FACTORS =
      List.of(0.1, 0.5, 0.75, 1.0, 1.25, 1.75, 2.0, 2.25, 2.75, 3.25);
  private static final List<Double> MULTI_FACTORS = List.of(0.1, 0.5, 0.75, 1.0, 1.25, 1.75, 2.1);
  private static final List<Double> MULTI_FACTORS_EXT =
      List.of(2.75, 3.25, 3.75, 7.5, 11.25, 15.0, 30.0, 60.0, 100.0);
  private static final List<Double> ALL_MICE = List.of(0.0, 0.25, 0.5, 0.75, 1.0);
  private static final List<Double> THREE_QUARTERS = List.of(0.75);
  private static final List<String> ALL_POLICIES =
      List.of("fcfs", "dpf-n", "dpf-t", "rr-n", "rr-t");
  private static final List<String> ENGINE_POLICIES = List.of("fcfs", "dpf-n", "dpf-t");
  private static final Accounting RENYI = Accounting.renyi(Conversion.CLASSIC);

  /** Figure 6 of the paper: one static block, basic composition. */
  public static final Experiment SINGLE_BLOCK_BASIC =
      new Experiment(
          "single-block-basic",
          "Single block, basic composition",
          List.of(Accounting.basic()),
          ALL_POLICIES,
          ns(100, SINGLE_FACTORS),
          List.of(1, 50, 100, 200, 325),
          ALL_MICE,
          5,
          100,
          SingleBlockWorkload::paper);

  /** Figure 16 of the paper: one static block, Rényi accounting. */
  public static final Experiment SINGLE_BLOCK_RDP =
      new Experiment(
          "single-block-rdp",
          "Single block, Renyi accounting",
          List.of(RENYI),
          ENGINE_POLICIES,
          ns(14514, SINGLE_FACTORS),
          List.of(1, 7257, 14514, 29028),
          ALL_MICE,
          1,
          14514,
          SingleBlockWorkload::paper);

  /** Figures 8 and 9 of the paper: a new block every 10 s, basic composition. */
  public static final Experiment MULTI_BLOCK_BASIC =
      new Experiment(
          "multi-block-basic",
          "Multiple blocks, basic composition",
          List.of(Accounting.basic()),
          ALL_POLICIES,
          concat(ns(100, MULTI_FACTORS), ns(100, MULTI_FACTORS_EXT)),
          List.of(1, 100, 375, 1500),
          THREE_QUARTERS,
          3,
          175,
          MultiBlockWorkload::paper);

  /** Figures 10 and 18 of the paper: a new block every 10 s, Rényi accounting. */
  public static final Experiment MULTI_BLOCK_RDP =
      new Experiment(
          "multi-block-rdp",
          "Multiple blocks, Renyi accounting",
          List.of(RENYI),
          ENGINE_POLICIES,
          // the original script's 14514 x {0.1, 0.5, 1, 2.1}; its other factors (0.75, 1.25, 1.75)
          // run with --n, at about twice the time (see docs/evaluation.md)
          ns(14514, List.of(0.1, 0.5, 1.0, 2.1)),
          List.of(1, 7257, 30479),
          THREE_QUARTERS,
          1,
          7257,
          MultiBlockWorkload::paper);

  /** The macrobenchmark's shape: a block a day for 50 days, 300 claims a day. */
  public static final Experiment MACRO =
      new Experiment(
          "macro",
          "Macrobenchmark shape (daily blocks)",
          List.of(Accounting.basic(), RENYI),
          ENGINE_POLICIES,
          List.of(1, 100, 300, 1000, 3000, 10000),
          List.of(1, 300, 3000),
          THREE_QUARTERS,
          1,
          3000,
          MacroWorkload::paper);

  /** Every experiment, in the order of docs/evaluation.md. */
  public static final List<Experiment> ALL =
      List.of(SINGLE_BLOCK_BASIC, SINGLE_BLOCK_RDP, MULTI_BLOCK_BASIC, MULTI_BLOCK_RDP, MACRO);

  public Experiment {
    Objects.requireNonNull(name, "name");
    accountings = List.copyOf(accountings);
    policies = List.copyOf(policies);
    ns = List.copyOf(ns);
    quickNs = List.copyOf(quickNs);
    mice = List.copyOf(mice);
    Objects.requireNonNull(workload, "workload");
  }

  /** The experiment of the given name. */
  public static Experiment byName(String name) {
    for (Experiment e : ALL) {
      if (e.name.equals(name)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "unknown experiment '" + name + "'; known: " + String.join(", ", names()) + ", all");
  }

  /** The names of all experiments. */
  public static List<String> names() {
    return ALL.stream().map(Experiment::name).toList();
  }

  /** {@code [1] + floor(base x f)} for each factor, as the original scripts built N. */
  static List<Integer> ns(int base, List<Double> factors) {
    List<Integer> out = new ArrayList<>();
    out.add(1);
    for (double f : factors) {
      out.add((int) Math.floor(base * f + 1e-9));
    }
    return out;
  }

  private static List<Integer> concat(List<Integer> a, List<Integer> b) {
    List<Integer> out = new ArrayList<>(a);
    out.addAll(b.subList(1, b.size())); // b starts with the shared 1
    return out;
  }

  /**
   * The runs of a sweep over the given accountings, fractions of mice, policies, N values and
   * seeds, nested in that order (the order of the CSV rows). Policies that do not support an
   * accounting are left out of it; a policy without a parameter runs once per point.
   */
  public List<Sweep.Run> runs(
      List<Accounting> accountingList,
      List<Double> miceList,
      List<String> policyNames,
      List<Integer> nList,
      List<Long> seedList,
      PolicyCatalog catalog,
      double scale) {
    List<Sweep.Run> out = new ArrayList<>();
    for (Accounting a : accountingList) {
      for (double m : miceList) {
        Workload w = scaled(workload.apply(a, m), scale);
        for (String p : policyNames) {
          PolicyCatalog.Entry e = catalog.get(p);
          if (!e.supports(a)) {
            continue;
          }
          for (int n : e.parameterized() ? nList : List.of(0)) {
            for (long seed : seedList) {
              out.add(new Sweep.Run(name, w, seed, e, n));
            }
          }
        }
      }
    }
    return out;
  }

  /** The workload with its run shortened (or lengthened) by {@code scale}. */
  static Workload scaled(Workload w, double scale) {
    if (scale == 1) {
      return w;
    }
    if (w instanceof SingleBlockWorkload s) {
      return s.withDuration(scaleDuration(s.duration(), scale));
    }
    if (w instanceof MultiBlockWorkload mb) {
      return mb.withDuration(scaleDuration(mb.duration(), scale));
    }
    if (w instanceof MacroWorkload mw) {
      return mw.withDays(Math.max(1, (int) Math.round(mw.days() * scale)));
    }
    throw new IllegalArgumentException("cannot scale " + w);
  }

  private static java.time.Duration scaleDuration(java.time.Duration d, double scale) {
    return java.time.Duration.ofNanos(Math.max(1, Math.round(d.toNanos() * scale)));
  }
}
