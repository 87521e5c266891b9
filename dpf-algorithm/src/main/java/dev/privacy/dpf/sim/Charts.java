package dev.privacy.dpf.sim;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The plots of a sweep, as PNG files (XChart): granted claims against N per policy, the same per
 * fraction of mice and per class of claim, and the CDF of scheduling delays at one N.
 */
final class Charts {

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private static final int WIDTH = 900;
  private static final int HEIGHT = 540;
  private static final Map<String, Color> COLORS =
      Map.of(
          "fcfs", new Color(0x444444),
          "dpf-n", new Color(0x1f77b4),
          "dpf-t", new Color(0x2ca02c),
          "rr-n", new Color(0xd62728),
          "rr-t", new Color(0xff7f0e));

  private Charts() {}

  /** Renders the plots of one experiment into {@code dir}; returns the files written. */
  static List<Path> render(Experiment e, List<Sweep.Outcome> outcomes, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    List<Path> files = new ArrayList<>();
    List<String> accountings =
        Reports.distinct(outcomes, o -> o.run().workload().accounting().label());
    for (String acct : accountings) {
      List<Sweep.Outcome> mine =
          outcomes.stream()
              .filter(o -> o.run().workload().accounting().label().equals(acct))
              .toList();
      String suffix = accountings.size() > 1 ? "-" + acct : "";
      List<Double> mice = Reports.distinct(mine, o -> o.run().workload().miceFraction());
      double primary = mice.contains(0.75) ? 0.75 : mice.get(0);
      List<Sweep.Outcome> main =
          mine.stream().filter(o -> o.run().workload().miceFraction() == primary).toList();
      String where = e.title() + " (" + acct + ", " + Sweep.percent(primary) + "% mice)";

      files.add(
          save(
              grantedVsN(
                  "Granted claims vs N: " + where, main, RunResult::granted, "granted claims"),
              dir.resolve("granted-vs-n" + suffix)));
      XYChart m = grantedVsN("Mice", main, RunResult::grantedMice, "granted mice");
      XYChart el = grantedVsN("Elephants", main, RunResult::grantedElephants, "granted elephants");
      files.add(save(List.of(m, el), dir.resolve("granted-by-class" + suffix)));
      if (mice.size() > 1) {
        files.add(save(byMice(where, mine, mice), dir.resolve("granted-vs-n-by-mice" + suffix)));
      }
      files.add(save(delayCdf(e, where, main), dir.resolve("delay-cdf" + suffix)));
    }
    return files;
  }

  private interface Metric {
    int of(RunResult r);
  }

  /** Mean of a metric per policy and N; FCFS (no N) becomes a flat line over the N range. */
  private static XYChart grantedVsN(
      String title, List<Sweep.Outcome> outcomes, Metric metric, String yTitle) {
    XYChart c = lineChart(title, "N (DPF-T, RR-T: T = N x mean arrival interval)", yTitle);
    c.getStyler().setXAxisLogarithmic(true);
    Map<String, TreeMap<Integer, double[]>> series = new LinkedHashMap<>();
    Map<String, double[]> flat = new LinkedHashMap<>();
    int minN = Integer.MAX_VALUE;
    int maxN = 1;
    for (Sweep.Outcome o : outcomes) {
      Sweep.Run r = o.run();
      double v = metric.of(o.result());
      if (r.policy().parameterized()) {
        minN = Math.min(minN, r.n());
        maxN = Math.max(maxN, r.n());
        add(series.computeIfAbsent(r.policy().name(), k -> new TreeMap<>()), r.n(), v);
      } else {
        double[] s = flat.computeIfAbsent(r.policy().name(), k -> new double[2]);
        s[0] += v;
        s[1]++;
      }
    }
    if (minN == Integer.MAX_VALUE) {
      minN = 1;
      maxN = 10;
    }
    for (Map.Entry<String, double[]> f : flat.entrySet()) {
      double y = f.getValue()[0] / f.getValue()[1];
      XYSeries s =
          c.addSeries(
              f.getKey(), new double[] {minN, Math.max(maxN, minN + 1)}, new double[] {y, y});
      s.setMarker(SeriesMarkers.NONE);
      s.setLineStyle(SeriesLines.DASH_DASH);
      s.setLineColor(color(f.getKey()));
    }
    for (Map.Entry<String, TreeMap<Integer, double[]>> p : series.entrySet()) {
      XYSeries s = addMeans(c, p.getKey(), p.getValue());
      s.setLineColor(color(p.getKey()));
      s.setMarkerColor(color(p.getKey()));
    }
    return c;
  }

  /** DPF-N (solid) and FCFS (dashed) per fraction of mice. */
  private static XYChart byMice(String where, List<Sweep.Outcome> outcomes, List<Double> mice) {
    XYChart c =
        lineChart(
            "Granted claims vs N per fraction of mice: " + where.replaceAll(", \\d+% mice", ""),
            "N",
            "granted claims");
    c.getStyler().setXAxisLogarithmic(true);
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
    int minN =
        outcomes.stream()
            .filter(o -> o.run().policy().parameterized())
            .mapToInt(o -> o.run().n())
            .min()
            .orElse(1);
    int maxN =
        outcomes.stream()
            .filter(o -> o.run().policy().parameterized())
            .mapToInt(o -> o.run().n())
            .max()
            .orElse(10);
    Color[] palette = {
      new Color(0x08306b),
      new Color(0x2171b5),
      new Color(0x6baed6),
      new Color(0xe6550d),
      new Color(0xa63603),
      new Color(0x54278f)
    };
    int i = 0;
    for (double m : mice) {
      Color col = palette[i++ % palette.length];
      TreeMap<Integer, double[]> dpf = new TreeMap<>();
      double[] fcfs = new double[2];
      for (Sweep.Outcome o : outcomes) {
        Sweep.Run r = o.run();
        if (r.workload().miceFraction() != m) {
          continue;
        }
        if (r.policy().name().equals("dpf-n")) {
          add(dpf, r.n(), o.result().granted());
        } else if (r.policy().name().equals("fcfs")) {
          fcfs[0] += o.result().granted();
          fcfs[1]++;
        }
      }
      String pct = Sweep.percent(m) + "% mice";
      if (!dpf.isEmpty()) {
        XYSeries s = addMeans(c, "dpf-n " + pct, dpf);
        s.setLineColor(col);
        s.setMarkerColor(col);
      }
      if (fcfs[1] > 0) {
        double y = fcfs[0] / fcfs[1];
        XYSeries s =
            c.addSeries(
                "fcfs " + pct, new double[] {minN, Math.max(maxN, minN + 1)}, new double[] {y, y});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(SeriesLines.DASH_DASH);
        s.setLineColor(col);
      }
    }
    return c;
  }

  /** The CDF of the delays of granted claims at the N closest to the experiment's, per policy. */
  private static XYChart delayCdf(Experiment e, String where, List<Sweep.Outcome> outcomes) {
    List<Integer> ns =
        Reports.distinct(
            outcomes.stream().filter(o -> o.run().policy().parameterized()).toList(),
            o -> o.run().n());
    int n = closest(ns, e.representativeN());
    XYChart c =
        lineChart(
            "Scheduling delay CDF at N = " + n + ": " + where,
            "delay from arrival to grant (s)",
            "fraction of granted claims");
    c.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
    Map<String, List<long[]>> delays = new LinkedHashMap<>();
    for (Sweep.Outcome o : outcomes) {
      Sweep.Run r = o.run();
      if (!r.policy().parameterized() || r.n() == n) {
        delays
            .computeIfAbsent(r.policy().name(), k -> new ArrayList<>())
            .add(o.result().delaysNanos());
      }
    }
    boolean any = false;
    for (Map.Entry<String, List<long[]>> p : delays.entrySet()) {
      long[] all = p.getValue().stream().flatMapToLong(Arrays::stream).sorted().toArray();
      if (all.length == 0) {
        continue;
      }
      int points = Math.min(200, all.length);
      double[] x = new double[points + 1];
      double[] y = new double[points + 1];
      x[0] = all[0] / 1e9;
      y[0] = 0;
      for (int i = 1; i <= points; i++) {
        int idx = (int) Math.ceil((double) i / points * all.length) - 1;
        x[i] = all[idx] / 1e9;
        y[i] = (idx + 1.0) / all.length;
      }
      XYSeries s = c.addSeries(p.getKey() + " (" + all.length + " grants)", x, y);
      s.setMarker(SeriesMarkers.NONE);
      s.setLineColor(color(p.getKey()));
      any = true;
    }
    if (!any) {
      c.addSeries("no grants", new double[] {0, 1}, new double[] {0, 0});
    }
    return c;
  }

  static int closest(List<Integer> ns, int target) {
    int best = ns.isEmpty() ? target : ns.get(0);
    for (int n : ns) {
      if (Math.abs(Math.log(n) - Math.log(target)) < Math.abs(Math.log(best) - Math.log(target))) {
        best = n;
      }
    }
    return best;
  }

  private static void add(TreeMap<Integer, double[]> m, int n, double v) {
    double[] s = m.computeIfAbsent(n, k -> new double[2]);
    s[0] += v;
    s[1]++;
  }

  private static XYSeries addMeans(XYChart c, String name, TreeMap<Integer, double[]> points) {
    double[] x = new double[points.size()];
    double[] y = new double[points.size()];
    int i = 0;
    for (Map.Entry<Integer, double[]> p : points.entrySet()) {
      x[i] = p.getKey();
      y[i++] = p.getValue()[0] / p.getValue()[1];
    }
    XYSeries s = c.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.CIRCLE);
    return s;
  }

  private static XYChart lineChart(String title, String xTitle, String yTitle) {
    XYChart c =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    Styler s = c.getStyler();
    s.setLegendPosition(Styler.LegendPosition.OutsideS);
    s.setLegendLayout(Styler.LegendLayout.Horizontal);
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setMarkerSize(6);
    c.getStyler().setChartTitleFont(c.getStyler().getChartTitleFont().deriveFont(14f));
    return c;
  }

  private static Color color(String policy) {
    return COLORS.getOrDefault(policy, new Color(0x9467bd));
  }

  private static Path save(XYChart chart, Path base) throws IOException {
    BitmapEncoder.saveBitmapWithDPI(chart, base.toString(), BitmapFormat.PNG, 96);
    return Path.of(base + ".png");
  }

  private static Path save(List<XYChart> charts, Path base) throws IOException {
    List<Chart> list = new ArrayList<>(charts);
    BitmapEncoder.saveBitmap(list, 1, charts.size(), base.toString(), BitmapFormat.PNG);
    return Path.of(base + ".png");
  }
}
