package dev.privacy.dpf.operator;

import static dev.privacy.dpf.operator.TestCluster.block;
import static dev.privacy.dpf.operator.TestCluster.claim;
import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifecycleTest {
  final TestCluster k = new TestCluster();

  @AfterEach
  void stop() {
    k.close();
  }

  @Test
  void aClaimIsGrantedThenConsumedWithASmallerSpend() {
    k.start(TestCluster.config().withPolicy("fcfs"));
    k.create(block("ml", "day-1", "clicks", 1.0, "  accounting: Basic\n"));
    k.create(claim("ml", "train", "{dataset: clicks}", "{epsDelta: {epsilon: 0.4}}", ""));
    PrivacyClaim c = k.awaitPhase("ml", "train", ClaimPhase.Allocated);
    assertThat(c.getStatus().getGrants()).hasSize(1);
    assertThat(c.getStatus().getGrants().get(0).getBlock()).isEqualTo("ml/day-1");
    PrivateBlock b = k.block("ml", "day-1");
    assertThat(b.getStatus().getLedger().getHolds()).hasSize(1);
    assertThat(b.getStatus().getAllocated().getEpsilon()).isEqualTo(0.4);
  }
}
