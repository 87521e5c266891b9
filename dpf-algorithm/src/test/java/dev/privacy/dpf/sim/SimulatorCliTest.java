package dev.privacy.dpf.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line runs a small sweep and writes its CSV files and PNG plots. */
class SimulatorCliTest {

  @TempDir Path tmp;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return SimulatorCli.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void quickSweepWritesCsvAndPlots() throws IOException {
    int status =
        run(
            "--experiment",
            "single-block-basic",
            "--quick",
            "--mice",
            "50,75",
            "--n",
            "10,100",
            "--out",
            tmp.toString());
    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    Path dir = tmp.resolve("single-block-basic");
    // 2 fractions of mice x (fcfs + 4 policies x 2 N) x 1 seed
    assertThat(Files.readAllLines(dir.resolve("results.csv")))
        .hasSize(1 + 2 * (1 + 4 * 2))
        .first()
        .isEqualTo(Reports.RESULTS_HEADER);
    assertThat(Files.readAllLines(dir.resolve("summary.csv"))).hasSize(1 + 2 * (1 + 4 * 2));
    assertThat(Files.readAllLines(dir.resolve("delays.csv")).size()).isGreaterThan(101);
    assertThat(Files.readString(dir.resolve("table.md"))).contains("| N | fcfs | dpf-n |");
    for (String png :
        new String[] {
          "granted-vs-n.png", "granted-by-class.png", "granted-vs-n-by-mice.png", "delay-cdf.png"
        }) {
      Path p = dir.resolve(png);
      assertThat(p).exists();
      assertThat(Files.size(p)).as(png).isGreaterThan(1000);
      byte[] head = Files.readAllBytes(p);
      assertThat(head[1]).as("PNG signature").isEqualTo((byte) 'P');
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("[18/18]").contains("runs in").contains("wrote");
  }

  @Test
  void renyiExperimentSkipsRoundRobinAndWritesBothConversions() throws IOException {
    int status =
        run(
            "--experiment",
            "single-block-rdp",
            "--policies",
            "fcfs,dpf-n,rr-n",
            "--n",
            "100",
            "--mice",
            "75",
            "--seeds",
            "1",
            "--scale",
            "0.02",
            "--conversion",
            "both",
            "--no-plots",
            "--out",
            tmp.toString());
    assertThat(status).as(err.toString(StandardCharsets.UTF_8)).isZero();
    String csv = Files.readString(tmp.resolve("single-block-rdp").resolve("results.csv"));
    assertThat(csv.lines().skip(1))
        .hasSize(4)
        .allMatch(l -> !l.contains(",rr-n,"))
        .anyMatch(l -> l.contains(",renyi-classic,dpf-n,100,"))
        .anyMatch(l -> l.contains(",renyi-tight,dpf-n,100,"));
  }

  @Test
  void usageErrorsExitWithStatus2() {
    assertThat(run("--experiment", "nope")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown experiment 'nope'");
    assertThat(run()).isEqualTo(2);
    assertThat(run("--experiment", "macro", "--seeds", "0")).isEqualTo(2);
    assertThat(run("--help")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: SimulatorCli");
  }
}
