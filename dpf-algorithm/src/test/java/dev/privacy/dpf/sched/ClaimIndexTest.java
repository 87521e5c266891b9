package dev.privacy.dpf.sched;

import static dev.privacy.dpf.sched.Fixtures.T0;
import static dev.privacy.dpf.sched.Fixtures.basicBlock;
import static dev.privacy.dpf.sched.Fixtures.claim;
import static dev.privacy.dpf.sched.Fixtures.eps;
import static dev.privacy.dpf.sched.Fixtures.renyiBlock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Mechanisms;
import dev.privacy.dpf.budget.Orders;
import dev.privacy.dpf.ledger.BlockLedger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The flat index a pass runs on ({@link ClaimIndex}): every pair must point at the block the claim
 * names and at that pair's demand, shares and well-formedness must be what {@link Rules} computes
 * from the objects, the orders must be the policies' comparators, and an index derived by dropping
 * claims must equal one built from scratch.
 */
class ClaimIndexTest {

  static final Orders OTHER_ORDERS = Orders.of(2, 4, 8);

  @Test
  void resolvesEachPairToTheBlockTheClaimNamesAndToItsDemand() {
    Snapshot s =
        snapshot(
            List.of(
                basicBlock("a", 1.0, new UnlockRule.AllAtOnce()),
                basicBlock("b", 2.0, new UnlockRule.AllAtOnce()),
                renyiBlock("c", 10, 1e-7, new UnlockRule.AllAtOnce()),
                basicBlock("d", 0.5, new UnlockRule.AllAtOnce())),
            List.of(
                claim("x", 0, eps(0.1), "d", "a"),
                new ClaimRequest(
                    "y", List.of("b", "d", "a"), List.of(eps(0.2), eps(0.3), eps(0.4)), 1, null),
                claim("z", 2, Mechanisms.gaussian(5, Orders.DEFAULT), "c"),
                claim("w", 3, eps(0.25), "a", "b", "d")));
    ClaimIndex ix = ClaimIndex.build(s);

    assertThat(ix.blockIds).containsExactly("a", "b", "c", "d");
    assertThat(ix.wellFormed).containsExactly(true, true, true, true);
    for (int i = 0; i < ix.claimCount(); i++) {
      assertPairsMatchTheObjects(ix, i, s);
    }
    // a Rényi block owns 12 components, a basic one 2
    assertThat(ix.blockOffset).containsExactly(0, 2, 4, 16, 18);
  }

  @Test
  void marksExactlyTheClaimsRulesRejectAsMalformed() {
    Snapshot s =
        snapshot(
            List.of(
                basicBlock("a", 1.0, new UnlockRule.AllAtOnce()),
                basicBlock("b", 1.0, new UnlockRule.AllAtOnce()),
                renyiBlock("r", 10, 1e-7, new UnlockRule.AllAtOnce())),
            List.of(
                claim("ok", 0, eps(0.1), "a", "b"),
                claim("unknown", 1, eps(0.1), "a", "nope"),
                claim("twice", 2, eps(0.1), "a", "b", "a"),
                claim("none", 3, eps(0.1)),
                claim("shape", 4, eps(0.1), "a", "r"),
                claim("orders", 5, Budget.curve(OTHER_ORDERS, 1, 1, 1), "r"),
                claim("zero", 6, eps(0), "a", "b"),
                new ClaimRequest("oneZero", List.of("a", "b"), List.of(eps(0), eps(0.1)), 7, null),
                claim("renyiOk", 8, Mechanisms.gaussian(5, Orders.DEFAULT), "r")));
    ClaimIndex ix = ClaimIndex.build(s);

    for (int i = 0; i < ix.claimCount(); i++) {
      ClaimRequest c = ix.claims[i];
      boolean valid = Rules.validate(c, id -> s.blocks().get(id)) == null;
      assertThat(ix.wellFormed[i]).as(c.id()).isEqualTo(valid);
      if (valid) {
        assertPairsMatchTheObjects(ix, i, s);
      }
    }
    assertThat(ix.wellFormed)
        .containsExactly(true, false, false, false, false, false, false, true, true);
  }

  @Test
  void looksUpBlockIdsWhoseHashesCollide() {
    // "Aa" and "BB" have the same String.hashCode
    String[] ids = {"Aa", "BB", "AaAa", "BBBB", "AaBB", "BBAa", "c"};
    ClaimIndex.IdTable t = new ClaimIndex.IdTable(ids);
    for (int i = 0; i < ids.length; i++) {
      assertThat(t.get(new String(ids[i]))).as(ids[i]).isEqualTo(i);
    }
    assertThat(t.get("AaAaAa")).isEqualTo(-1);
    assertThat(t.get("")).isEqualTo(-1);
  }

  @Test
  void listsClaimsInIdOrderAndNoticesASharedId() {
    BlockState a = basicBlock("a", 1.0, new UnlockRule.AllAtOnce());
    ClaimIndex unique =
        ClaimIndex.build(
            snapshot(
                List.of(a),
                List.of(
                    claim("m", 0, eps(0.1), "a"),
                    claim("b", 1, eps(0.1), "a"),
                    claim("z", 2, eps(0.1), "a"))));
    assertThat(unique.byId).containsExactly(1, 0, 2);
    assertThat(unique.uniqueIds).isTrue();

    ClaimIndex shared =
        ClaimIndex.build(
            snapshot(
                List.of(a),
                List.of(
                    claim("m", 0, eps(0.1), "a"),
                    claim("b", 1, eps(0.1), "a"),
                    claim("m", 2, eps(0.2), "a"))));
    assertThat(shared.byId).containsExactly(1, 0, 2);
    assertThat(shared.uniqueIds).isFalse();
  }

  static LongStream seeds() {
    return LongStream.range(0, 40);
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void ordersClaimsAsEachPolicysComparatorDoes(long seed) {
    Random r = new Random(seed);
    Snapshot s = randomSnapshot(r);
    ClaimIndex ix = ClaimIndex.build(s);
    Policy reverseFcfs =
        new Policy() {
          @Override
          public String name() {
            return "reverse-fcfs";
          }

          @Override
          public int compare(RankedClaim a, RankedClaim b) {
            return Policy.fcfs().compare(b, a);
          }
        };
    for (Policy p : List.of(Policy.dpf(), Policy.fcfs(), reverseFcfs)) {
      assertThat(ids(ix, ix.order(p))).as(p.name()).isEqualTo(expectedOrder(s, p));
      assertThat(ix.order(p)).as(p.name() + " memoised").isSameAs(ix.order(p));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void anIndexWithoutSomeClaimsEqualsOneBuiltFromScratch(long seed) {
    Random r = new Random(seed);
    Snapshot s = randomSnapshot(r);
    ClaimIndex ix = ClaimIndex.build(s);
    ix.order(seed % 2 == 0 ? Policy.dpf() : Policy.fcfs()); // memoised, then filtered
    boolean[] drop = new boolean[ix.claimCount()];
    List<ClaimRequest> left = new ArrayList<>();
    for (int i = 0; i < drop.length; i++) {
      drop[i] = r.nextInt(3) == 0;
      if (!drop[i]) {
        left.add(ix.claims[i]);
      }
    }
    Snapshot after = new Snapshot(s.blocks(), left, s.allocated());
    ClaimIndex derived = ix.retain(drop);
    ClaimIndex fresh = ClaimIndex.build(after);

    assertThat(derived.matches(after)).isTrue();
    assertThat(derived.claims).containsExactly(fresh.claims);
    assertThat(derived.wellFormed).isEqualTo(fresh.wellFormed);
    assertThat(derived.pairStart).isEqualTo(fresh.pairStart);
    assertThat(derived.byId).isEqualTo(fresh.byId);
    assertThat(derived.earliestDeadline).isEqualTo(fresh.earliestDeadline);
    for (int i = 0; i < derived.claimCount(); i++) {
      if (derived.wellFormed[i]) {
        assertPairsMatchTheObjects(derived, i, after);
        assertThat(derived.sharesOf(i)).isEqualTo(fresh.sharesOf(i));
      }
    }
    for (Policy p : List.of(Policy.dpf(), Policy.fcfs())) {
      assertThat(derived.order(p)).as(p.name()).isEqualTo(fresh.order(p));
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void thePassCarriesItsIndexToTheSnapshotAfterAndDecidesAsOnAFreshCopy(long seed) {
    Random r = new Random(seed);
    Snapshot s = randomSnapshot(r);
    Policy p = seed % 3 == 0 ? Policy.fcfs() : Policy.dpf();
    SchedulingPass.Result first = SchedulingPass.run(s, p, T0);
    Snapshot after = first.after();
    assertThat(after.hasIndex()).isTrue();
    assertThat(after.index().matches(after)).isTrue();

    // a few events between passes that keep (or derive) the index
    if (!after.allocated().isEmpty()) {
      after = after.withReleased(after.allocated().firstKey());
    }
    if (!after.waiting().isEmpty()) {
      after = after.withoutWaiting(after.waiting().get(0).id());
    }
    assertThat(after.hasIndex()).isTrue();

    Snapshot copy = new Snapshot(after.blocks(), after.waiting(), after.allocated());
    assertThat(copy.hasIndex()).isFalse();
    SchedulingPass.Result carried = SchedulingPass.run(after, p, T0.plusSeconds(1));
    SchedulingPass.Result rebuilt = SchedulingPass.run(copy, p, T0.plusSeconds(1));
    assertThat(carried.decision()).isEqualTo(rebuilt.decision());
    assertThat(carried.after()).isEqualTo(rebuilt.after());
    assertThat(carried.waiting()).isEqualTo(rebuilt.waiting());
    assertThat(after.apply(carried.decision())).isEqualTo(carried.after());
  }

  @Test
  void anIndexDoesNotMatchASnapshotWithOtherClaimsOrBlocks() {
    Snapshot s =
        snapshot(
            List.of(basicBlock("a", 1.0, new UnlockRule.AllAtOnce())),
            List.of(claim("x", 0, eps(0.1), "a")));
    ClaimIndex ix = ClaimIndex.build(s);
    assertThat(ix.matches(s)).isTrue();
    assertThat(ix.matches(s.withArrival(claim("y", 1, eps(0.1), "a"), T0))).isFalse();
    assertThat(ix.matches(s.withBlock(basicBlock("b", 1.0, new UnlockRule.AllAtOnce())))).isFalse();
    Snapshot otherCapacity =
        snapshot(List.of(basicBlock("a", 2.0, new UnlockRule.AllAtOnce())), List.of(ix.claims[0]));
    assertThat(ix.matches(otherCapacity)).isFalse();
  }

  @Test
  void passOverClaimsSharingAnIdDecidesAsApplyingItsDecision() {
    // the engine never holds two claims with one id, but a snapshot can be built with them
    Snapshot s =
        snapshot(
            List.of(basicBlock("a", 1.0, new UnlockRule.AllAtOnce())),
            List.of(
                claim("twin", 0, eps(0.3), "a"),
                claim("other", 1, eps(0.9), "a"),
                claim("twin", 2, eps(0.2), "a")));
    SchedulingPass.Result r = SchedulingPass.run(s, Policy.dpf(), T0);
    assertThat(Fixtures.grantedIds(r.decision())).containsExactly("twin", "twin");
    assertThat(s.apply(r.decision())).isEqualTo(r.after());
    assertThat(r.after().waiting()).extracting(ClaimRequest::id).containsExactly("other");
  }

  // ---- helpers

  /** Pair by pair, the index says what the claim object says. */
  static void assertPairsMatchTheObjects(ClaimIndex ix, int i, Snapshot s) {
    ClaimRequest c = ix.claims[i];
    int from = ix.pairStart[i];
    assertThat(ix.pairStart[i + 1] - from).isEqualTo(c.blocks().size());
    BlockLedger[] ledgers = new BlockLedger[c.blocks().size()];
    for (int j = 0; j < c.blocks().size(); j++) {
      int b = ix.pairBlock[from + j];
      assertThat(ix.blockIds[b]).as(c.id() + " pair " + j).isEqualTo(c.blocks().get(j));
      Budget d = c.demands().get(j);
      int dims = ix.blockOffset[b + 1] - ix.blockOffset[b];
      assertThat(dims).isEqualTo(d.dimensions());
      for (int k = 0; k < dims; k++) {
        assertThat(ix.demandUnits[ix.pairDemand[from + j] + k])
            .as(c.id() + " pair " + j + " component " + k)
            .isEqualTo(d.units(k));
        BlockCapacity cap = s.blocks().get(c.blocks().get(j)).ledger().capacity();
        assertThat(ix.capacityUnits[ix.blockOffset[b] + k]).isEqualTo(cap.capacity().units(k));
        assertThat(ix.usable[ix.blockOffset[b] + k]).isEqualTo(cap.usable(k));
      }
      ledgers[j] = s.blocks().get(c.blocks().get(j)).ledger();
    }
    assertThat(ix.sharesOf(i)).as(c.id() + " shares").isEqualTo(Rules.shares(c, ledgers));
  }

  static Snapshot snapshot(List<BlockState> blocks, List<ClaimRequest> claims) {
    TreeMap<String, BlockState> b = new TreeMap<>();
    blocks.forEach(x -> b.put(x.id(), x));
    return new Snapshot(b, claims, new TreeMap<>());
  }

  /**
   * Blocks of a few sizes (basic and Rényi, so equal shares and ties abound), claims on 1 to 4 of
   * them with demands from a small set, some arrivals shared, some malformed, ids and arrivals not
   * in the waiting order (so the index has to sort them).
   */
  static Snapshot randomSnapshot(Random r) {
    List<BlockState> blocks = new ArrayList<>();
    List<String> basic = new ArrayList<>();
    List<String> renyi = new ArrayList<>();
    int nb = 3 + r.nextInt(8);
    for (int i = 0; i < nb; i++) {
      String id = "b" + i;
      UnlockRule rule =
          r.nextBoolean()
              ? new UnlockRule.AllAtOnce()
              : new UnlockRule.PerArrival(1 + r.nextInt(4));
      if (r.nextInt(3) > 0) {
        blocks.add(basicBlock(id, new double[] {1, 2}[r.nextInt(2)], rule));
        basic.add(id);
      } else {
        blocks.add(renyiBlock(id, new double[] {5, 10}[r.nextInt(2)], 1e-7, rule));
        renyi.add(id);
      }
    }
    List<ClaimRequest> claims = new ArrayList<>();
    int n = 20 + r.nextInt(60);
    for (int i = 0; i < n; i++) {
      boolean isBasic = renyi.isEmpty() || (!basic.isEmpty() && r.nextInt(3) > 0);
      List<String> pool = new ArrayList<>(isBasic ? basic : renyi);
      Collections.shuffle(pool, r);
      List<String> chosen =
          new ArrayList<>(pool.subList(0, 1 + r.nextInt(Math.min(4, pool.size()))));
      if (r.nextInt(15) == 0) {
        chosen.add("missing");
      }
      Budget d =
          isBasic
              ? Budget.epsDelta(new double[] {0.1, 0.25, 0.5}[r.nextInt(3)], 1e-9)
              : Mechanisms.gaussian(new double[] {2, 4, 8}[r.nextInt(3)], Orders.DEFAULT);
      List<Budget> demands = new ArrayList<>(Collections.nCopies(chosen.size(), d));
      if (isBasic && chosen.size() > 1 && r.nextInt(4) == 0) {
        demands.set(chosen.size() - 1, eps(0.05)); // different demands within one claim
      }
      String id = "c" + (char) ('a' + r.nextInt(26)) + i;
      long arrival = r.nextInt(n); // ties and out of order
      java.time.Instant deadline = r.nextInt(4) == 0 ? T0.plusSeconds(r.nextInt(100)) : null;
      claims.add(new ClaimRequest(id, chosen, demands, arrival, deadline));
    }
    return snapshot(blocks, claims);
  }

  /** The well-formed claims sorted by the policy's comparator, stably, from the waiting order. */
  static List<String> expectedOrder(Snapshot s, Policy p) {
    List<Rules.Ranked> ranked = new ArrayList<>();
    for (ClaimRequest c : s.waiting()) {
      if (Rules.validate(c, id -> s.blocks().get(id)) == null) {
        BlockLedger[] l =
            c.blocks().stream().map(id -> s.blocks().get(id).ledger()).toArray(BlockLedger[]::new);
        ranked.add(new Rules.Ranked(c, Rules.shares(c, l)));
      }
    }
    ranked.sort(p);
    return ranked.stream().map(Rules.Ranked::id).toList();
  }

  static List<String> ids(ClaimIndex ix, int[] order) {
    return Arrays.stream(order).mapToObj(i -> ix.claims[i].id()).toList();
  }
}
