package dev.privacy.dpf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, as a new user runs it (with {@code --exit-when-done}, as a script
 * would): the demo applies examples/, the training Job's pod is gated, then released when its claim
 * is Allocated, the claim is Consumed when the Job completes, and the summary shows the budget
 * spent.
 */
class DemoTest {

  @Test
  void theDemoRunsToItsEndWithTheJobsPodGatedThenReleasedAndItsClaimConsumed() throws Exception {
    Path jar = Paths.get(System.getProperty("dpf.operator.jar"));
    Path dir = ProcessCluster.workDir("demo");
    Path log = dir.resolve("demo.out");
    Process p =
        new ProcessBuilder(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                "demo",
                "--exit-when-done",
                "--examples=" + Paths.get("..", "examples").toAbsolutePath().normalize(),
                "--kubeconfig=" + dir.resolve("kubeconfig"),
                "--timeout=150s")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean ended = p.waitFor(180, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
    }
    String out = Files.readString(log);
    assertThat(ended).as("the demo ended within 180 s; its output:%n%s", out).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    List<String> lines = out.lines().toList();
    int gated = index(lines, "pod       ml-team/train-ranker-", "SchedulingGated");
    int allocated = index(lines, "claim     ml-team/train-ranker ", "Allocated");
    int running = index(lines, "pod       ml-team/train-ranker-", "Running");
    int consumed = index(lines, "claim     ml-team/train-ranker ", "Consumed");
    assertThat(gated).as(out).isGreaterThanOrEqualTo(0);
    // promise 4 as the user sees it: the pod runs only after its claim is Allocated
    assertThat(allocated).as(out).isGreaterThan(gated);
    assertThat(running).as(out).isGreaterThanOrEqualTo(allocated);
    assertThat(consumed).as(out).isGreaterThan(running);
    assertThat(out)
        .contains("its workload finished: Job ml-team/train-ranker completed")
        .contains(
            "claim     ml-team/clicks-curve                 Consumed  the job reported its spend")
        .contains("claim     ml-team/recent-dashboard             gone")
        .contains("Claims:")
        .contains("Blocks (epsilon;")
        .contains("done. The cluster is still here");
    assertThat(out).doesNotContain("did not end as expected").doesNotContain("Exception");
  }

  private static int index(List<String> lines, String start, String contains) {
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      int at = l.indexOf("] ");
      if (at > 0 && l.substring(at + 2).startsWith(start) && l.contains(contains)) {
        return i;
      }
    }
    return -1;
  }
}
