package dev.privacy.dpf.sim;

import dev.privacy.dpf.budget.Conversion;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The simulator's command line: runs the sweep of one or more experiments and writes, per
 * experiment, {@code results.csv} (one row per run), {@code summary.csv} (mean over seeds), {@code
 * delays.csv} (delay percentiles per run), {@code table.md} and the PNG plots. See
 * docs/evaluation.md for the commands that produce its figures.
 */
public final class SimulatorCli {

  static final String USAGE =
      """
      Usage: SimulatorCli --experiment NAME[,NAME...]|all [options]

      Experiments: single-block-basic, single-block-rdp, multi-block-basic, multi-block-rdp, macro

      Options:
        --seeds K|S1,S2,...   seeds 1..K, or the listed seeds (default: the experiment's)
        --policies P1,P2,...  fcfs, dpf-n, dpf-t, rr-n, rr-t (default: the experiment's;
                              round robin runs under basic accounting only)
        --n N1,N2,...         values of N (T = N x mean arrival interval for dpf-t, rr-t)
        --mice P1,P2,...      percentages of mice (default: the experiment's)
        --conversion C        Renyi capacity conversion: classic (default), tight or both
        --scale F             multiply the length of each run by F (default 1)
        --quick               a small sweep: a few N, 75% mice, one seed
        --threads T           parallel runs (default 2)
        --out DIR             output folder (default target/sim); one sub-folder per experiment
        --no-plots            write the CSV files only
        --help                this text
      """;

  private SimulatorCli() {}

  /** Runs the command line; exits with status 2 on a usage error. */
  public static void main(String[] args) {
    int status = run(args, System.out, System.err);
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs the command line, printing to {@code out} and {@code err}; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.print(USAGE);
      return 2;
    }
    if (o.help) {
      out.print(USAGE);
      return 0;
    }
    try {
      for (Experiment e : o.experiments) {
        runExperiment(e, o, out);
      }
      return 0;
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  private static void runExperiment(Experiment e, Options o, PrintStream out) throws IOException {
    List<Accounting> accountings = new ArrayList<>();
    for (Accounting a : e.accountings()) {
      if (!a.isRenyi()) {
        accountings.add(a);
      } else {
        for (Conversion c : o.conversions) {
          accountings.add(Accounting.renyi(c));
        }
      }
    }
    List<Double> mice = o.mice != null ? o.mice : o.quick ? List.of(0.75) : e.mice();
    List<Integer> ns = o.ns != null ? o.ns : o.quick ? e.quickNs() : e.ns();
    List<String> policies = o.policies != null ? o.policies : e.policies();
    List<Long> seeds = o.seeds;
    if (seeds == null) {
      seeds = new ArrayList<>();
      for (long s = 1; s <= (o.quick ? 1 : e.seeds()); s++) {
        seeds.add(s);
      }
    }
    PolicyCatalog catalog = PolicyCatalog.standard();
    List<Sweep.Run> runs = e.runs(accountings, mice, policies, ns, seeds, catalog, o.scale);
    Path dir = o.out.resolve(e.name());
    out.printf(
        Locale.ROOT,
        "== %s: %d runs (%s; N %s; mice %s%%; seeds %s) on %d threads -> %s%n",
        e.name(),
        runs.size(),
        String.join(",", policies),
        ns,
        mice.stream().map(Sweep::percent).toList(),
        seeds,
        o.threads,
        dir);
    long t0 = System.nanoTime();
    List<Sweep.Outcome> outcomes = Sweep.run(runs, o.threads, out::println);
    double sweepSeconds = (System.nanoTime() - t0) / 1e9;
    List<Path> files = new ArrayList<>();
    files.add(write(dir.resolve("results.csv"), Reports.results(outcomes)));
    files.add(write(dir.resolve("summary.csv"), Reports.summary(outcomes)));
    files.add(write(dir.resolve("delays.csv"), Reports.delays(outcomes)));
    String table = Reports.table(outcomes);
    files.add(write(dir.resolve("table.md"), "# " + e.title() + "\n" + table));
    if (o.plots) {
      files.addAll(Charts.render(e, outcomes, dir));
    }
    double totalSeconds = (System.nanoTime() - t0) / 1e9;
    out.print(table);
    out.printf(
        Locale.ROOT,
        "%n== %s: %d runs in %.1f s (simulation), %.1f s with files and plots%n",
        e.name(),
        runs.size(),
        sweepSeconds,
        totalSeconds);
    for (Path f : files) {
      out.println("   wrote " + f);
    }
  }

  private static Path write(Path file, String content) throws IOException {
    Reports.write(file, content);
    return file;
  }

  /** Parsed options. */
  static final class Options {
    List<Experiment> experiments = new ArrayList<>();
    List<Long> seeds;
    List<String> policies;
    List<Integer> ns;
    List<Double> mice;
    List<Conversion> conversions = List.of(Conversion.CLASSIC);
    double scale = 1;
    boolean quick;
    int threads = 2;
    Path out = Path.of("target", "sim");
    boolean plots = true;
    boolean help;

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--help", "-h" -> o.help = true;
          case "--quick" -> o.quick = true;
          case "--no-plots" -> o.plots = false;
          case "--experiment" -> {
            for (String name : list(value(args, ++i, a))) {
              if (name.equals("all")) {
                o.experiments.addAll(Experiment.ALL);
              } else {
                o.experiments.add(Experiment.byName(name));
              }
            }
          }
          case "--seeds" -> {
            String v = value(args, ++i, a);
            o.seeds = new ArrayList<>();
            if (v.contains(",")) {
              for (String s : list(v)) {
                o.seeds.add(parseLong(s, a));
              }
            } else {
              long k = parseLong(v, a);
              if (k < 1) {
                throw new IllegalArgumentException("--seeds must be >= 1, got " + v);
              }
              for (long s = 1; s <= k; s++) {
                o.seeds.add(s);
              }
            }
          }
          case "--policies" -> {
            o.policies = list(value(args, ++i, a));
            PolicyCatalog c = PolicyCatalog.standard();
            o.policies.forEach(c::get);
          }
          case "--n" -> {
            o.ns = new ArrayList<>();
            for (String s : list(value(args, ++i, a))) {
              long n = parseLong(s, a);
              if (n < 1 || n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("--n values must be >= 1, got " + s);
              }
              o.ns.add((int) n);
            }
          }
          case "--mice" -> {
            o.mice = new ArrayList<>();
            for (String s : list(value(args, ++i, a))) {
              double p = parseDouble(s, a);
              if (!(p >= 0 && p <= 100)) {
                throw new IllegalArgumentException("--mice values must be in [0, 100], got " + s);
              }
              o.mice.add(p / 100);
            }
          }
          case "--conversion" -> {
            String v = value(args, ++i, a);
            o.conversions =
                switch (v) {
                  case "classic" -> List.of(Conversion.CLASSIC);
                  case "tight" -> List.of(Conversion.TIGHT);
                  case "both" -> List.of(Conversion.CLASSIC, Conversion.TIGHT);
                  default ->
                      throw new IllegalArgumentException(
                          "--conversion must be classic, tight or both, got " + v);
                };
          }
          case "--scale" -> {
            o.scale = parseDouble(value(args, ++i, a), a);
            if (!(o.scale > 0)) {
              throw new IllegalArgumentException("--scale must be > 0");
            }
          }
          case "--threads" -> {
            long t = parseLong(value(args, ++i, a), a);
            if (t < 1 || t > 256) {
              throw new IllegalArgumentException("--threads must be in [1, 256], got " + t);
            }
            o.threads = (int) t;
          }
          case "--out" -> o.out = Path.of(value(args, ++i, a));
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (!o.help && o.experiments.isEmpty()) {
        throw new IllegalArgumentException("--experiment is required");
      }
      return o;
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }

    private static List<String> list(String v) {
      List<String> out = new ArrayList<>();
      for (String s : v.split(",")) {
        if (!s.isBlank()) {
          out.add(s.trim());
        }
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("empty list: '" + v + "'");
      }
      return out;
    }

    private static long parseLong(String s, String option) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + ": not an integer: " + s);
      }
    }

    private static double parseDouble(String s, String option) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + ": not a number: " + s);
      }
    }
  }
}
