package dev.privacy.dpf.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.budget.Orders;
import dev.privacy.dpf.crds.Accounting;
import dev.privacy.dpf.crds.ClaimPhase;
import dev.privacy.dpf.crds.HoldRecord;
import dev.privacy.dpf.crds.PrivacyClaim;
import dev.privacy.dpf.crds.PrivateBlock;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** SPEC.md's promises, checked over the objects on the API server. */
final class Invariants {
  private Invariants() {}

  /** Consumed units per block seen so far, to check that consumed never falls. */
  static final class Watermarks {
    final Map<String, List<Long>> consumed = new HashMap<>();
  }

  /**
   * Checks, at a quiet moment: no block over-allocated; every hold belongs to an Allocated claim;
   * every Allocated claim holds its grant on every one of its blocks (all or nothing); no finished
   * claim holds anything; consumed never fell since the last check.
   */
  static void check(KubernetesClient client, Watermarks w) {
    check(client, w, true);
  }

  /**
   * With {@code quiet} false (right after a crash), only what must hold at every moment: no
   * over-allocation, consumed never falls, an Allocated claim holds all of its blocks. Holds of
   * claims that are not (yet, or no longer) Allocated are then a half-written grant or a
   * half-folded finish, which the next scheduler completes or undoes.
   */
  static void check(KubernetesClient client, Watermarks w, boolean quiet) {
    List<PrivateBlock> blocks =
        client.resources(PrivateBlock.class).inAnyNamespace().list().getItems();
    List<PrivacyClaim> claims =
        client.resources(PrivacyClaim.class).inAnyNamespace().list().getItems();
    Map<String, PrivacyClaim> byUid = new HashMap<>();
    claims.forEach(c -> byUid.put(c.getMetadata().getUid(), c));
    Map<String, Map<String, HoldRecord>> holdsByClaim = new HashMap<>();
    for (PrivateBlock b : blocks) {
      String id = Api.key(b);
      if (b.getStatus() == null || b.getStatus().getLedger() == null) {
        continue;
      }
      var rec = b.getStatus().getLedger();
      Budget g = capacity(b).capacity();
      Budget consumed = Views.budget(g, rec.getConsumed(), "consumed");
      Budget used = consumed;
      for (HoldRecord h : rec.getHolds()) {
        used = used.plus(Views.budget(g, h.getAmount(), "hold"));
        holdsByClaim.computeIfAbsent(h.getUid(), k -> new HashMap<>()).put(id, h);
      }
      boolean fits = false;
      for (int i = 0; i < g.dimensions(); i++) {
        fits |= used.units(i) <= g.units(i);
      }
      if (g.kind() == Budget.Kind.BASIC) {
        fits = used.fitsEverywhereWithin(g);
      }
      assertThat(fits)
          .as("block %s: allocated + consumed %s within capacity %s", id, used, g)
          .isTrue();
      List<Long> before = w.consumed.get(id);
      if (before != null) {
        for (int i = 0; i < before.size(); i++) {
          assertThat(rec.getConsumed().get(i))
              .as("block %s consumed[%d] never falls", id, i)
              .isGreaterThanOrEqualTo(before.get(i));
        }
      }
      w.consumed.put(id, rec.getConsumed());
    }
    for (Map.Entry<String, Map<String, HoldRecord>> e : holdsByClaim.entrySet()) {
      if (!quiet) {
        break;
      }
      PrivacyClaim c = byUid.get(e.getKey());
      assertThat(c)
          .as("claim %s of holds on %s exists", e.getKey(), e.getValue().keySet())
          .isNotNull();
      assertThat(c.getStatus().getPhase())
          .as("claim %s holding budget", Api.key(c))
          .isEqualTo(ClaimPhase.Allocated);
    }
    for (PrivacyClaim c : claims) {
      if (c.getStatus() == null) {
        continue;
      }
      Map<String, HoldRecord> held = holdsByClaim.getOrDefault(c.getMetadata().getUid(), Map.of());
      if (c.getStatus().getPhase() == ClaimPhase.Allocated) {
        assertThat(held.keySet())
            .as("claim %s holds its grant on all of its blocks", Api.key(c))
            .containsExactlyInAnyOrderElementsOf(c.getStatus().getBlocks());
      } else if (quiet) {
        assertThat(held)
            .as("claim %s (%s) holds nothing", Api.key(c), c.getStatus().getPhase())
            .isEmpty();
      }
    }
  }

  static BlockCapacity capacity(PrivateBlock b) {
    var spec = b.getSpec();
    double delta = spec.getBudget().getDelta() == null ? 0 : spec.getBudget().getDelta();
    return spec.getAccounting() == Accounting.Basic
        ? BlockCapacity.basic(spec.getBudget().getEpsilon(), delta)
        : BlockCapacity.renyi(
            spec.getBudget().getEpsilon(), delta, Orders.DEFAULT, Conversion.TIGHT);
  }
}
