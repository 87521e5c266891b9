package dev.privacy.dpf.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.PrivacyClaim;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 2,000 claims on 200 blocks end to end through the API server; the invariants at the end. */
class ScaleTest {

  @Test
  void twoThousandClaimsOnTwoHundredBlocks() throws Exception {
    try (TestCluster k = new TestCluster()) {
      DpfOperator op = k.start(TestCluster.config().withN(100));
      Load.blocks(k.client, "ml", 200);
      k.awaitSeen("ml", Load.name(0), Load.name(199));
      Random r = new Random(7);
      List<PrivacyClaim> claims =
          java.util.stream.IntStream.range(0, 2000)
              .mapToObj(i -> Load.claim("ml", "c" + i, 200, 3, r))
              .toList();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      for (PrivacyClaim c : claims) {
        pool.submit(() -> k.client.resource(c).create());
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> op.scheduler().grants.get() == 2000);
      List<PrivacyClaim> all =
          k.client.resources(PrivacyClaim.class).inNamespace("ml").list().getItems();
      assertThat(all).hasSize(2000);
      assertThat(all)
          .allSatisfy(c -> assertThat(c.getStatus().getPhase()).isEqualTo(ClaimPhase.Allocated));
      Invariants.check(k.client, new Invariants.Watermarks());
      Api api = op.scheduler().api();
      double writesPerGrant =
          (api.blockWrites.get() + api.claimWrites.get()) / (double) op.scheduler().grants.get();
      System.out.printf(
          "scale: %d grants, %d block writes, %d claim writes, %.2f ledger writes per grant"
              + " (budget 1 + 3 blocks = 4), %d resyncs%n",
          op.scheduler().grants.get(),
          api.blockWrites.get(),
          api.claimWrites.get(),
          writesPerGrant,
          op.scheduler().resyncs.get());
      assertThat(writesPerGrant).isLessThanOrEqualTo(4.0);
    }
  }
}
