package dev.privacy.dpf.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import dev.privacy.dpf.budget.Conversion;
import dev.privacy.dpf.budget.Orders;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BlockLedgerTest {

  private static final BlockCapacity ONE = BlockCapacity.basic(1.0, 1e-6);

  private static Budget eps(double e) {
    return Budget.epsDelta(e, 0);
  }

  @Test
  void startsFullyLocked() {
    BlockLedger l = BlockLedger.fresh(ONE);
    assertThat(l.locked()).isEqualTo(l.total());
    assertThat(l.unlocked().isZero()).isTrue();
    assertThat(l.canGrant(eps(0.01))).isFalse();
  }

  @Test
  void unlockingNeverGoesBackDownNorAboveCapacity() {
    BlockLedger l =
        BlockLedger.fresh(ONE)
            .unlockTo(ONE.capacity().fraction(1, 2, java.math.RoundingMode.CEILING));
    assertThat(l.unlocked().epsilon()).isEqualTo(0.5);
    BlockLedger lower = l.unlockTo(ONE.capacity().fraction(1, 4, java.math.RoundingMode.CEILING));
    assertThat(lower).isSameAs(l);
    BlockLedger all = l.unlockTo(ONE.capacity().times(3));
    assertThat(all.unlocked()).isEqualTo(all.total());
    assertThat(all.locked().isZero()).isTrue();
  }

  @Test
  void grantMovesUnlockedToAllocatedExactly() {
    BlockLedger l = BlockLedger.fresh(ONE).unlockAll().grant(eps(0.3)).grant(eps(0.7));
    assertThat(l.allocated().epsilon()).isEqualTo(1.0);
    assertThat(l.unlocked().epsilon()).isZero();
    assertThat(l.canGrant(Budget.epsDelta(1e-12, 0))).isFalse();
  }

  @Test
  void refusesGrantAboveUnlockedByOneUnitAndKeepsTheLedger() {
    BlockLedger l = BlockLedger.fresh(ONE).unlockAll().grant(eps(0.4));
    assertThatThrownBy(() -> l.grant(eps(0.600000000001)))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("does not fit");
    assertThat(l.allocated()).isEqualTo(eps(0.4));
    assertThat(l.grant(eps(0.6)).unlocked().epsilon()).isZero();
  }

  @Test
  void refusesGrantWhoseDeltaDoesNotFit() {
    BlockLedger l = BlockLedger.fresh(ONE).unlockAll();
    assertThat(l.canGrant(Budget.epsDelta(0.1, 2e-6))).isFalse();
    assertThat(l.canGrant(Budget.epsDelta(0.1, 1e-6))).isTrue();
  }

  @Test
  void partialConsumeReturnsTheRemainderAndConsumedOnlyGrows() {
    BlockLedger l = BlockLedger.fresh(ONE).unlockAll().grant(eps(0.5));
    BlockLedger c = l.consume(eps(0.5), eps(0.2));
    assertThat(c.consumed()).isEqualTo(eps(0.2));
    assertThat(c.allocated().isZero()).isTrue();
    assertThat(c.unlocked()).isEqualTo(l.total().minus(eps(0.2)));
    assertThat(c.notConsumed()).isEqualTo(l.total().minus(eps(0.2)));
  }

  @Test
  void refusesSpendAboveTheGrant() {
    BlockLedger l = BlockLedger.fresh(ONE).unlockAll().grant(eps(0.5));
    assertThatThrownBy(() -> l.consume(eps(0.5), eps(0.6)))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("at most the grant");
  }

  @Test
  void refusesToConsumeOrReleaseAGrantItDoesNotHold() {
    BlockLedger l = BlockLedger.fresh(ONE).unlockAll().grant(eps(0.2));
    assertThatThrownBy(() -> l.release(eps(0.3))).isInstanceOf(LedgerException.class);
    assertThatThrownBy(() -> l.consume(eps(0.3), eps(0.1))).isInstanceOf(LedgerException.class);
  }

  @Test
  void releaseGivesEverythingBack() {
    BlockLedger l = BlockLedger.fresh(ONE).unlockAll();
    assertThat(l.grant(eps(0.5)).release(eps(0.5))).isEqualTo(l);
  }

  @Test
  void renyiGrantMayGoNegativeAtOtherOrdersButNotAtTheOneItFits() {
    BlockCapacity cap = BlockCapacity.renyi(1.0, 1e-6, Orders.DEFAULT, Conversion.TIGHT);
    BlockLedger l = BlockLedger.fresh(cap).unlockAll();
    double[] d = new double[Orders.DEFAULT.size()];
    Arrays.fill(d, 100);
    int last = d.length - 1;
    d[last] = cap.capacity().value(last);
    BlockLedger g = l.grant(Budget.curve(Orders.DEFAULT, d));
    assertThat(g.unlocked().units(last)).isZero();
    assertThat(g.unlocked().units(0)).isNegative();
    // only a zero demand still fits (at the order left at exactly 0); anything positive does not
    assertThat(g.canGrant(Budget.curve(Orders.DEFAULT, new double[d.length]))).isTrue();
    double[] tiny = new double[d.length];
    Arrays.fill(tiny, 1e-9);
    assertThat(g.canGrant(Budget.curve(Orders.DEFAULT, tiny))).isFalse();
  }

  @Test
  void unusableOrdersNeverFitEvenAZeroDemand() {
    BlockCapacity cap = BlockCapacity.renyi(0.5, 1e-9, Orders.DEFAULT, Conversion.TIGHT);
    assertThat(cap.usable(0)).isFalse();
    BlockLedger l = BlockLedger.fresh(cap).unlockAll();
    double[] d = new double[Orders.DEFAULT.size()];
    Arrays.fill(d, 1000);
    d[0] = 0; // zero demand at an unusable order
    assertThat(l.canGrant(Budget.curve(Orders.DEFAULT, d))).isFalse();
  }

  @Test
  void blockWithNoUsableOrderFitsNothing() {
    // eps 0.001 at delta 1e-9: ln(1/delta) outweighs epsilon at every order up to 64
    BlockCapacity cap = BlockCapacity.renyi(0.001, 1e-9, Orders.DEFAULT, Conversion.TIGHT);
    assertThat(cap.usableCount()).isZero();
    BlockLedger l = BlockLedger.fresh(cap).unlockAll();
    assertThat(l.canEverFit(Budget.curve(Orders.DEFAULT, new double[Orders.DEFAULT.size()])))
        .isFalse();
  }

  @Test
  void refusesRenyiAccountingForAPureDpBlock() {
    assertThatThrownBy(() -> BlockCapacity.renyi(1.0, 0, Orders.DEFAULT, Conversion.TIGHT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("block delta is 0")
        .hasMessageContaining("basic accounting");
  }

  @Test
  void saturatedOrderIsRetiredForGood() {
    BlockCapacity cap = BlockCapacity.renyi(10, 1e-6, Orders.DEFAULT, Conversion.TIGHT);
    BlockLedger l = BlockLedger.fresh(cap).unlockAll();
    double[] d = new double[Orders.DEFAULT.size()];
    Arrays.fill(d, 0.1);
    d[d.length - 1] = 1e300; // saturates at order 64
    Budget demand = Budget.curve(Orders.DEFAULT, d);
    BlockLedger g = l.grant(demand);
    assertThat(g.live(d.length - 1)).isFalse();
    BlockLedger back = g.release(demand);
    assertThat(back.live(d.length - 1)).isFalse(); // sticky, conservative
    assertThat(back.live(0)).isEqualTo(l.live(0));
  }

  @Test
  void restoreRejectsValuesThatBreakTheIdentity() {
    Budget g = ONE.capacity();
    Budget zero = g.zero();
    assertThat(BlockLedger.restore(ONE, zero, g, zero, zero).unlocked()).isEqualTo(g);
    assertThatThrownBy(() -> BlockLedger.restore(ONE, zero, g, eps(0.1), zero))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("G != L + U + A + C");
    assertThatThrownBy(() -> BlockLedger.restore(ONE, zero, g.minus(eps(1.1)), eps(1.1), zero))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("over-allocated");
    assertThatThrownBy(
            () -> BlockLedger.restore(ONE, zero, zero, zero, Budget.zeroCurve(Orders.DEFAULT)))
        .isInstanceOf(LedgerException.class)
        .hasMessageContaining("does not match");
  }

  @Test
  void shareUsesCapacityAndSkipsUnusableOrders() {
    assertThat(BlockLedger.fresh(ONE).share(eps(0.25))).isEqualTo(0.25);
    BlockCapacity cap = BlockCapacity.renyi(0.5, 1e-9, Orders.DEFAULT, Conversion.TIGHT);
    double[] d = new double[Orders.DEFAULT.size()];
    Arrays.fill(d, 0.01);
    double s = BlockLedger.fresh(cap).share(Budget.curve(Orders.DEFAULT, d));
    assertThat(s).isFinite().isPositive();
  }
}
