package dev.privacy.dpf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The examples, as a user applies them, driven only through the real {@code kubectl} against {@code
 * serve-api} and the packaged operator, both separate processes: apply, wait for phases, read the
 * printer columns, run the training Job on the simulated node, delete. The steps build on each
 * other, in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubectlExamplesTest {
  private static final Path EXAMPLES = Paths.get(System.getProperty("dpf.examples", "../examples"));

  private ProcessCluster cluster;
  private Kubectl k;

  @BeforeAll
  void start() throws Exception {
    Kubectl.require();
    cluster = new ProcessCluster(ProcessCluster.workDir("KubectlExamplesTest"));
    cluster.startApi("--simulate-nodes=true", "--pod-run-time=1s").startOperator();
    k = cluster.kubectl;
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String ex(String file) {
    return EXAMPLES.resolve(file).toString();
  }

  /** The whitespace-separated cells of each line of kubectl's table output. */
  private static List<List<String>> table(String out) {
    return out.lines()
        .filter(l -> !l.isBlank())
        .map(l -> Arrays.asList(l.trim().split("\\s+")))
        .toList();
  }

  private static List<String> row(List<List<String>> t, int column, String value) {
    return t.stream()
        .filter(r -> r.size() > column && r.get(column).equals(value))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row with " + value + " in " + t));
  }

  @Test
  @Order(1)
  void appliesTheExampleNamespacesBlocksAndClaims() {
    assertThat(k.ok("apply", "-f", ex("00-namespaces.yaml")))
        .contains("namespace/data-team created", "namespace/ml-team created");
    assertThat(
            k.ok(
                "apply",
                "-f",
                ex("10-block-basic.yaml"),
                "-f",
                ex("11-blocks-daily.yaml"),
                "-f",
                ex("12-block-shared.yaml")))
        .contains(
            "privateblock.dpf.privacy.dev/survey-2026 created",
            "privateblock.dpf.privacy.dev/clicks-2026-11-03 created",
            "privateblock.dpf.privacy.dev/purchases-2026-q4 created");
    Kubectl.Result claims =
        k.run(
            60,
            "create",
            "-f",
            ex("20-claim-epsdelta.yaml"),
            "-f",
            ex("21-claim-rdp-curve.yaml"),
            "-f",
            ex("22-claim-dpsgd.yaml"),
            "-f",
            ex("23-claim-latest.yaml"),
            "-f",
            ex("24-claim-shared.yaml"));
    assertThat(claims.exit()).as(claims.all()).isZero();
    assertThat(claims.out())
        .contains(
            "privacyclaim.dpf.privacy.dev/survey-stats created",
            "privacyclaim.dpf.privacy.dev/purchases-model created");
    assertThat(claims.err()).as("no validation warnings").isEmpty();
  }

  @Test
  @Order(2)
  void claimsBecomeAllocatedAndKubectlWaitWatchesForIt() {
    Kubectl.Result r =
        k.run(
            90,
            "wait",
            "--for=jsonpath={.status.phase}=Allocated",
            "pcl/survey-stats",
            "pcl/purchases-model",
            "-n",
            "ml-team",
            "--timeout=60s");
    assertThat(r.exit()).as(r.all() + "\n" + cluster.logs()).isZero();
    assertThat(r.out())
        .contains(
            "privacyclaim.dpf.privacy.dev/survey-stats condition met",
            "privacyclaim.dpf.privacy.dev/purchases-model condition met");
    assertThat(r.err()).doesNotContain("Failed to watch");
    Kubectl.Result c =
        k.run(
            60,
            "wait",
            "--for=condition=Allocated",
            "pcl/survey-stats",
            "-n",
            "ml-team",
            "--timeout=30s");
    assertThat(c.exit()).as(c.all()).isZero();
  }

  @Test
  @Order(3)
  void getPbShowsTheBlocksPrinterColumns() {
    List<List<String>> t = table(k.ok("get", "pb", "-A"));
    assertThat(t.get(0))
        .containsExactly(
            "NAMESPACE",
            "NAME",
            "DATASET",
            "EPSILON",
            "DELTA",
            "REMAINING",
            "CONSUMED",
            "PHASE",
            "AGE");
    assertThat(t).hasSize(1 + 5);
    List<String> survey = row(t, 1, "survey-2026");
    assertThat(survey.subList(0, 5))
        .containsExactly("ml-team", "survey-2026", "survey", "1", "1e-06");
    assertThat(survey.get(7)).isEqualTo("Active");
    assertThat(Double.parseDouble(survey.get(5))).isBetween(0.0, 1.0);
    assertThat(Double.parseDouble(survey.get(6))).isZero();
    List<String> shared = row(t, 1, "purchases-2026-q4");
    assertThat(shared.subList(0, 5))
        .containsExactly("data-team", "purchases-2026-q4", "purchases", "4", "1e-08");
    assertThat(survey.get(8)).matches("\\d+(s|m\\d*s?)");
  }

  @Test
  @Order(4)
  void getPclShowsTheClaimsPrinterColumns() {
    List<List<String>> t = table(k.ok("get", "pcl", "-n", "ml-team"));
    assertThat(t.get(0))
        .containsExactly("NAME", "PHASE", "BLOCKS", "EPSILON", "SHARE", "REASON", "AGE");
    List<String> survey = row(t, 0, "survey-stats");
    assertThat(survey.subList(1, 3)).containsExactly("Allocated", "1");
    assertThat(survey).contains("Granted");
    List<String> curve = row(t, 0, "clicks-curve");
    assertThat(curve.get(2)).as("clicks-curve's window covers 2 daily blocks").isEqualTo("2");
    assertThat(
            k.ok(
                "get",
                "privacyclaim",
                "survey-stats",
                "-n",
                "ml-team",
                "-o",
                "jsonpath={.status.phase}"))
        .isEqualTo("Allocated");
  }

  @Test
  @Order(5)
  void applyingAgainChangesNothingAndLabelsAndAnnotationsApply() {
    assertThat(k.ok("apply", "-f", ex("00-namespaces.yaml")))
        .contains("namespace/data-team unchanged", "namespace/ml-team unchanged");
    assertThat(k.ok("apply", "-f", ex("10-block-basic.yaml")))
        .contains("privateblock.dpf.privacy.dev/survey-2026 unchanged");
    assertThat(k.ok("label", "pb", "survey-2026", "-n", "ml-team", "tier=gold"))
        .contains("privateblock.dpf.privacy.dev/survey-2026 labeled");
    assertThat(k.ok("annotate", "ns", "data-team", "owner=data-platform"))
        .contains("namespace/data-team annotate"); // kubectl 1.27 prints "annotate"
    assertThat(k.ok("label", "ns", "ml-team", "dpf.privacy.dev/enforce=true", "--overwrite"))
        .contains("namespace/ml-team");
    assertThat(
            k.ok(
                "get",
                "pb",
                "survey-2026",
                "-n",
                "ml-team",
                "-o",
                "jsonpath={.metadata.labels.tier}/{.metadata.labels.region}"))
        .isEqualTo("gold/eu");
    assertThat(k.ok("get", "ns", "data-team", "-o", "jsonpath={.metadata.annotations.owner}"))
        .isEqualTo("data-platform");
    // a changed label, applied: a merge patch that replaces it
    assertThat(k.ok("label", "pb", "survey-2026", "-n", "ml-team", "tier-")).contains("unlabeled");
  }

  @Test
  @Order(6)
  void theTrainingJobRunsOnTheSimulatedNodeAndCompletes() {
    assertThat(k.ok("apply", "-f", ex("30-training-job.yaml")))
        .contains("job.batch/train-ranker created");
    Kubectl.Result r =
        k.run(
            90,
            "wait",
            "--for=condition=Complete",
            "job/train-ranker",
            "-n",
            "ml-team",
            "--timeout=60s");
    assertThat(r.exit()).as(r.all() + "\n" + cluster.logs()).isZero();
    List<List<String>> pods =
        table(k.ok("get", "pods", "-n", "ml-team", "-l", "job-name=train-ranker"));
    assertThat(pods.get(0)).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE");
    assertThat(pods).hasSize(2);
    assertThat(pods.get(1).get(0)).matches("train-ranker-[a-z0-9]{5}");
    assertThat(pods.get(1).subList(1, 4)).containsExactly("0/1", "Completed", "0");
    List<List<String>> jobs = table(k.ok("get", "jobs", "-n", "ml-team"));
    assertThat(jobs.get(0)).containsExactly("NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE");
    assertThat(row(jobs, 0, "train-ranker").subList(1, 3)).containsExactly("Complete", "1/1");
    assertThat(k.ok("get", "nodes")).contains("embedded-node", "Ready");
  }

  @Test
  @Order(7)
  void deletingAClaimRemovesItAndWaitForDeleteReturns() {
    assertThat(k.ok("delete", "-f", ex("24-claim-shared.yaml")))
        .contains("privacyclaim.dpf.privacy.dev \"purchases-model\" deleted");
    Kubectl.Result w =
        k.run(60, "wait", "--for=delete", "pcl/purchases-model", "-n", "ml-team", "--timeout=30s");
    assertThat(w.exit()).as(w.all()).isZero();
    Kubectl.Result gone = k.run(60, "get", "pcl", "purchases-model", "-n", "ml-team");
    assertThat(gone.exit()).isNotZero();
    assertThat(gone.err())
        .contains(
            "Error from server (NotFound): privacyclaims.dpf.privacy.dev \"purchases-model\" not"
                + " found");
  }
}
