package dev.privacy.dpf.operator;

import static dev.privacy.dpf.operator.TestCluster.block;
import static dev.privacy.dpf.operator.TestCluster.claim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.privacy.dpf.crds.ClaimPhase;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two instances with a Lease: one schedules, the other waits, and takes over when it goes. */
class LeaderElectionTest {
  final TestCluster k = new TestCluster();

  @AfterEach
  void stop() {
    k.close();
  }

  private static int get(int port, String path) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  @Test
  void oneLeaderSchedulesAndTheStandbyTakesOver() throws Exception {
    OperatorConfig base = TestCluster.config().withPolicy("fcfs").withHealthPort(0);
    DpfOperator one = k.start(base.withLeaderElection("one", "dpf-system"));
    await().atMost(Duration.ofSeconds(20)).until(one::leader);
    DpfOperator two = k.start(base.withLeaderElection("two", "dpf-system"));
    assertThat(get(one.healthPort(), "/healthz")).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> get(one.healthPort(), "/readyz") == 200);
    assertThat(get(two.healthPort(), "/readyz")).isEqualTo(200); // a healthy standby is ready
    assertThat(two.leader()).isFalse();
    Lease lease = k.client.leases().inNamespace("dpf-system").withName("dpf-operator").get();
    assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("one");

    k.create(block("ml", "day-1", "clicks", 1.0, "  accounting: Basic\n"));
    k.create(claim("ml", "a", "{dataset: clicks}", "{epsDelta: {epsilon: 0.5}}", ""));
    k.awaitPhase("ml", "a", ClaimPhase.Allocated);
    assertThat(two.scheduler().grants.get()).isZero();

    one.close(); // the leader goes away; its lease runs out and two takes over
    await().atMost(Duration.ofSeconds(60)).until(two::leader);
    k.create(claim("ml", "b", "{dataset: clicks}", "{epsDelta: {epsilon: 0.5}}", ""));
    k.awaitPhase("ml", "b", ClaimPhase.Allocated);
    k.create(
        claim("ml", "c", "{dataset: clicks}", "{epsDelta: {epsilon: 0.5}}", "  timeout: 2s\n"));
    k.awaitPhase("ml", "c", ClaimPhase.Denied);
    Invariants.check(k.client, new Invariants.Watermarks());
    assertThat(two.scheduler().grants.get()).isEqualTo(1);
  }
}
