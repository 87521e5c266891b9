package dev.privacy.dpf.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.crds.HoldRecord;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The operator killed with SIGKILL in the middle of a busy run (claims still arriving, grants and
 * spends being written), then started again against the same API server process: SPEC.md's promises
 * hold over what kubectl reads back, right after the kill and once the restarted operator has
 * decided every claim.
 */
class OperatorKillTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BLOCKS = 6;
  private static final int CLAIMS = 60;
  private static final Set<String> FINAL = Set.of("Allocated", "Consumed", "Denied");

  @Test
  void anOperatorKilledMidRunKeepsEveryPromiseAfterItsRestart() throws Exception {
    Kubectl.require();
    try (ProcessCluster cluster = new ProcessCluster(ProcessCluster.workDir("OperatorKillTest"))) {
      Assumptions.assumeFalse(
          cluster.external(), "kills the operator process: only with the embedded API server");
      cluster.startApi().startOperator("--policy=fcfs");
      Kubectl k = cluster.kubectl;
      Path blocks = cluster.dir.resolve("blocks.yaml");
      Path claims = cluster.dir.resolve("claims.yaml");
      writeManifests(blocks, claims);
      k.ok("apply", "-f", blocks.toString());
      Kubectl.Result seen =
          k.run(
              90,
              "wait",
              "--for=jsonpath={.status.phase}=Active",
              "pb",
              "--all",
              "-n",
              "load",
              "--timeout=60s");
      assertThat(seen.exit()).as(seen.all() + cluster.logs()).isZero();

      // claims arrive while the operator grants; two report a spend; then SIGKILL
      CompletableFuture<Kubectl.Result> arriving =
          CompletableFuture.supplyAsync(() -> k.run(120, "apply", "-f", claims.toString()));
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> phases(k).values().stream().filter("Allocated"::equals).count() >= 6);
      List<String> spent = new ArrayList<>();
      for (Map.Entry<String, String> e : phases(k).entrySet()) {
        if (e.getValue().equals("Allocated") && spent.size() < 2) {
          k.ok(
              "patch",
              "pcl",
              e.getKey(),
              "-n",
              "load",
              "--type=merge",
              "-p",
              "{\"spec\":{\"spent\":{\"epsDelta\":{\"epsilon\":0.05,\"delta\":1.0e-9}}}}");
          spent.add(e.getKey());
        }
      }
      Map<String, List<Long>> watermark = new HashMap<>();
      check(k, watermark, false);
      cluster.killOperator();
      check(k, watermark, false);
      Kubectl.Result created = arriving.get();
      assertThat(created.exit()).as(created.all()).isZero();

      cluster.startOperator("--policy=fcfs");
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                Map<String, String> p = phases(k);
                return p.size() == CLAIMS && FINAL.containsAll(p.values());
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> check(k, new HashMap<>(watermark), true));
      check(k, watermark, true);
      Map<String, String> end = phases(k);
      for (String s : spent) {
        assertThat(end.get(s)).as("claim %s reported a spend", s).isEqualTo("Consumed");
      }
      assertThat(end.values()).as("some claims were granted").contains("Allocated");
    }
  }

  /** 6 blocks of epsilon 1; 60 claims of 0.1 on two neighbouring blocks each (20 per block). */
  private static void writeManifests(Path blocks, Path claims) throws Exception {
    StringBuilder b =
        new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: load\n");
    for (int i = 0; i < BLOCKS; i++) {
      b.append("---\napiVersion: dpf.privacy.dev/v1alpha1\nkind: PrivateBlock\nmetadata:\n")
          .append("  name: b")
          .append(i)
          .append("\n  namespace: load\nspec:\n  dataset: load\n  accounting: Basic\n")
          .append("  budget:\n    epsilon: 1.0\n    delta: 1.0e-6\n");
    }
    Files.writeString(blocks, b);
    StringBuilder c = new StringBuilder();
    for (int i = 0; i < CLAIMS; i++) {
      c.append(i == 0 ? "" : "---\n")
          .append("apiVersion: dpf.privacy.dev/v1alpha1\nkind: PrivacyClaim\nmetadata:\n")
          .append(String.format("  name: c%02d%n", i))
          .append("  namespace: load\nspec:\n  timeout: 15s\n  blocks:\n    dataset: load\n")
          .append("    names: [b")
          .append(i % BLOCKS)
          .append(", b")
          .append((i + 1) % BLOCKS)
          .append("]\n  demand:\n    epsDelta:\n      epsilon: 0.1\n      delta: 1.0e-8\n");
    }
    Files.writeString(claims, c);
  }

  /** Each claim's phase ("" before the operator has seen it), as kubectl reads them. */
  private static Map<String, String> phases(Kubectl k) throws Exception {
    Map<String, String> out = new HashMap<>();
    for (JsonNode c : JSON.readTree(k.ok("get", "pcl", "-n", "load", "-o", "json")).path("items")) {
      out.put(c.path("metadata").path("name").asText(), c.path("status").path("phase").asText(""));
    }
    return out;
  }

  /**
   * The promises over the objects: no block holds and consumes more than its capacity; consumed
   * never falls (against {@code watermark}, which is updated); an Allocated claim holds its grant
   * on every one of its blocks. With {@code quiet} (nothing in flight) also: every hold belongs to
   * an Allocated claim and a claim in any other phase holds nothing.
   */
  private static void check(Kubectl k, Map<String, List<Long>> watermark, boolean quiet)
      throws Exception {
    var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
    Map<String, PrivacyClaim> byUid = new HashMap<>();
    for (JsonNode n : JSON.readTree(k.ok("get", "pcl", "-n", "load", "-o", "json")).path("items")) {
      PrivacyClaim c = mapper.treeToValue(n, PrivacyClaim.class);
      byUid.put(c.getMetadata().getUid(), c);
    }
    Map<String, Set<String>> heldBy = new HashMap<>();
    for (JsonNode n : JSON.readTree(k.ok("get", "pb", "-n", "load", "-o", "json")).path("items")) {
      PrivateBlock b = mapper.treeToValue(n, PrivateBlock.class);
      String id = "load/" + b.getMetadata().getName();
      if (b.getStatus() == null || b.getStatus().getLedger() == null) {
        continue;
      }
      var ledger = b.getStatus().getLedger();
      Budget g =
          BlockCapacity.basic(
                  b.getSpec().getBudget().getEpsilon(), b.getSpec().getBudget().getDelta())
              .capacity();
      List<Long> used = new ArrayList<>(ledger.getConsumed());
      for (HoldRecord h : ledger.getHolds()) {
        for (int i = 0; i < used.size(); i++) {
          used.set(i, used.get(i) + h.getAmount().get(i));
        }
        heldBy.computeIfAbsent(h.getUid(), x -> new java.util.HashSet<>()).add(id);
      }
      for (int i = 0; i < g.dimensions(); i++) {
        assertThat(used.get(i))
            .as("block %s: allocated + consumed within capacity (dimension %d)", id, i)
            .isLessThanOrEqualTo(g.units(i));
      }
      List<Long> before = watermark.get(id);
      if (before != null) {
        for (int i = 0; i < before.size(); i++) {
          assertThat(ledger.getConsumed().get(i))
              .as("block %s: consumed never falls (dimension %d)", id, i)
              .isGreaterThanOrEqualTo(before.get(i));
        }
      }
      watermark.put(id, ledger.getConsumed());
    }
    for (PrivacyClaim c : byUid.values()) {
      if (c.getStatus() == null || c.getStatus().getPhase() == null) {
        continue;
      }
      Set<String> held = heldBy.getOrDefault(c.getMetadata().getUid(), Set.of());
      String name = c.getMetadata().getName();
      if (c.getStatus().getPhase().name().equals("Allocated")) {
        assertThat(held)
            .as("claim %s holds its grant on all of its blocks, all or nothing", name)
            .containsExactlyInAnyOrderElementsOf(c.getStatus().getBlocks());
      } else if (quiet) {
        assertThat(held)
            .as("claim %s (%s) holds nothing", name, c.getStatus().getPhase())
            .isEmpty();
      }
    }
    if (quiet) {
      for (String uid : heldBy.keySet()) {
        assertThat(byUid).as("the claim of a hold exists").containsKey(uid);
      }
    }
  }
}
