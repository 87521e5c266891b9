package dev.privacy.dpf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.operator.demo.WebhookConfigurations;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Pod gating end to end, driven only through kubectl: the operator process serves its admission
 * webhooks over HTTPS, the API server process calls them (the configurations are applied with
 * kubectl, their caBundle written by the operator's own CA), a Job's GPU pod stays SchedulingGated
 * while its claim is Pending and runs once it is Allocated, the claim is Consumed when the Job
 * completes, and the webhooks refuse what they must, with their messages, to kubectl.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatingKubectlTest {
  private ProcessCluster cluster;
  private Kubectl k;
  private Path dir;

  @BeforeAll
  void start() throws Exception {
    Kubectl.require();
    dir = ProcessCluster.workDir("GatingKubectlTest");
    cluster = new ProcessCluster(dir);
    int webhookPort = ProcessCluster.freePort();
    cluster
        .startApi("--simulate-nodes=true", "--pod-run-time=2s")
        .startOperator(
            "--policy=dpf-n",
            "--n=4",
            "--webhook-port=" + webhookPort,
            "--webhook-hosts=localhost",
            "--webhook-namespace=dpf-system");
    k = cluster.kubectl;
    if (!cluster.external()) {
      Path webhooks = dir.resolve("webhooks.yaml");
      Files.writeString(
          webhooks,
          WebhookConfigurations.calledByUrl(webhookPort).stream()
              .map(Serialization::asYaml)
              .collect(Collectors.joining("\n")));
      assertThat(k.ok("apply", "-f", webhooks.toString()))
          .contains(
              "mutatingwebhookconfiguration.admissionregistration.k8s.io/dpf-operator created",
              "validatingwebhookconfiguration.admissionregistration.k8s.io/dpf-operator created");
      awaitCaBundles();
    }
  }

  @AfterAll
  void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The operator writes its CA into every webhook of both configurations. */
  private void awaitCaBundles() throws InterruptedException {
    long end = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < end) {
      String m =
          k.ok(
              "get",
              "mutatingwebhookconfiguration",
              "dpf-operator",
              "-o",
              "jsonpath={range .webhooks[*]}{.clientConfig.caBundle}{\"\\n\"}{end}");
      String v =
          k.ok(
              "get",
              "validatingwebhookconfiguration",
              "dpf-operator",
              "-o",
              "jsonpath={range .webhooks[*]}{.clientConfig.caBundle}{\"\\n\"}{end}");
      if (m.lines().count() == 1
          && v.lines().count() == 3
          && (m + v).lines().allMatch(l -> !l.isBlank())) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the caBundles were not written:\n" + cluster.logs());
  }

  private Path file(String name, String yaml) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, yaml);
    return f;
  }

  private void waitFor(String what, String condition, int seconds) {
    Kubectl.Result r =
        k.run(
            seconds + 30, "wait", condition, what, "-n", "gpu-team", "--timeout=" + seconds + "s");
    assertThat(r.exit()).as(r.all() + "\n" + cluster.logs()).isZero();
  }

  private List<List<String>> pods() {
    return k.ok("get", "pods", "-n", "gpu-team", "-l", "job-name=train")
        .lines()
        .skip(1)
        .map(l -> Arrays.asList(l.trim().split("\\s+")))
        .toList();
  }

  @Test
  @Order(1)
  void aJobsGpuPodStaysGatedWhileItsClaimIsPending() throws Exception {
    k.ok(
        "apply",
        "-f",
        file(
                "setup.yaml",
                """
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: gpu-team
                  labels: {dpf.privacy.dev/enforce: "true"}
                ---
                apiVersion: dpf.privacy.dev/v1alpha1
                kind: PrivateBlock
                metadata: {name: day-1, namespace: gpu-team}
                spec:
                  dataset: events
                  budget: {epsilon: 1.0, delta: 1.0e-6}
                  accounting: Basic
                ---
                apiVersion: dpf.privacy.dev/v1alpha1
                kind: PrivacyClaim
                metadata: {name: big, namespace: gpu-team}
                spec:
                  blocks: {dataset: events}
                  demand: {epsDelta: {epsilon: 0.3}}
                """)
            .toString());
    // DPF-N with N = 4: its own arrival unlocks 0.25 of the block, the claim needs 0.3
    waitFor("pcl/big", "--for=jsonpath={.status.phase}=Pending", 60);
    assertThat(
            k.ok(
                "apply",
                "-f",
                file(
                        "job.yaml",
                        """
                        apiVersion: batch/v1
                        kind: Job
                        metadata: {name: train, namespace: gpu-team}
                        spec:
                          backoffLimit: 1
                          template:
                            metadata:
                              labels: {dpf.privacy.dev/claim: big}
                            spec:
                              restartPolicy: Never
                              containers:
                                - name: trainer
                                  image: trainer:1
                                  resources:
                                    limits: {nvidia.com/gpu: 1}
                        """)
                    .toString()))
        .contains("job.batch/train created");
    long end = System.nanoTime() + 30_000_000_000L;
    while (pods().isEmpty() && System.nanoTime() < end) {
      Thread.sleep(200);
    }
    // gated by the mutating webhook, and it stays so while the claim waits
    for (int i = 0; i < 10; i++) {
      List<List<String>> p = pods();
      assertThat(p).as(cluster.logs()).hasSize(1);
      assertThat(p.get(0).get(2)).isEqualTo("SchedulingGated");
      Thread.sleep(200);
    }
    assertThat(
            k.ok(
                "get",
                "pods",
                "-n",
                "gpu-team",
                "-l",
                "job-name=train",
                "-o",
                "jsonpath={.items[0].spec.schedulingGates[*].name}"))
        .isEqualTo("dpf.privacy.dev/budget");
  }

  @Test
  @Order(2)
  void theWebhooksRefuseAnUnclaimedGpuPodAndAnInvalidClaimWithTheirMessages() throws Exception {
    Kubectl.Result pod =
        k.run(
            60,
            "apply",
            "-f",
            file(
                    "sneaky.yaml",
                    """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: sneaky, namespace: gpu-team}
                    spec:
                      containers:
                        - name: trainer
                          image: trainer:1
                          resources:
                            limits: {nvidia.com/gpu: 1}
                    """)
                .toString());
    assertThat(pod.exit()).isNotZero();
    assertThat(pod.err())
        .contains("admission webhook \"enforced.pods.dpf.privacy.dev\" denied the request")
        .contains("pod sneaky requests nvidia.com/gpu (container trainer)")
        .contains("add the label dpf.privacy.dev/claim: <claim-name>");
    Kubectl.Result claim =
        k.run(
            60,
            "apply",
            "-f",
            file(
                    "bad-claim.yaml",
                    """
                    apiVersion: dpf.privacy.dev/v1alpha1
                    kind: PrivacyClaim
                    metadata: {name: oops, namespace: gpu-team}
                    spec:
                      blocks: {dataset: events}
                      demand: {epsDelta: {epsilon: -0.5}}
                    """)
                .toString());
    assertThat(claim.exit()).isNotZero();
    assertThat(claim.err())
        .contains("admission webhook \"resources.dpf.privacy.dev\" denied the request")
        .contains("spec.demand.epsDelta.epsilon")
        .contains("-0.5");
  }

  @Test
  @Order(3)
  void onceAllocatedThePodRunsAndTheJobsCompletionConsumesTheClaim() throws Exception {
    // a second arrival unlocks another quarter: big fits now
    k.ok(
        "apply",
        "-f",
        file(
                "small.yaml",
                """
                apiVersion: dpf.privacy.dev/v1alpha1
                kind: PrivacyClaim
                metadata: {name: small, namespace: gpu-team}
                spec:
                  blocks: {dataset: events}
                  demand: {epsDelta: {epsilon: 0.01}}
                """)
            .toString());
    waitFor("pcl/big", "--for=jsonpath={.status.phase}=Allocated", 60);
    waitFor("job/train", "--for=condition=Complete", 60);
    assertThat(pods().get(0).get(2)).isEqualTo("Completed");
    waitFor("pcl/big", "--for=jsonpath={.status.phase}=Consumed", 60);
    assertThat(k.ok("get", "pcl", "big", "-n", "gpu-team", "-o", "jsonpath={.status.message}"))
        .contains("Job gpu-team/train completed");
    assertThat(
            k.ok(
                "get", "pb", "day-1", "-n", "gpu-team", "-o", "jsonpath={.status.consumedEpsilon}"))
        .isEqualTo("0.3");
  }

  @Test
  @Order(4)
  void aPodNamingTheConsumedClaimIsRefused() throws Exception {
    Kubectl.Result late =
        k.run(
            60,
            "apply",
            "-f",
            file(
                    "late.yaml",
                    """
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: late
                      namespace: gpu-team
                      labels: {dpf.privacy.dev/claim: big}
                    spec:
                      containers: [{name: trainer, image: trainer:1}]
                    """)
                .toString());
    assertThat(late.exit()).isNotZero();
    assertThat(late.err())
        .contains("admission webhook \"claimed.pods.dpf.privacy.dev\" denied the request")
        .contains("names claim gpu-team/big, which is already Consumed");
  }
}
