package dev.privacy.dpf.ledger;

import dev.privacy.dpf.budget.BlockCapacity;
import dev.privacy.dpf.budget.Budget;
import java.util.Arrays;
import java.util.Objects;

/**
 * The budget of one block, split as in the DPF paper (section 4) into locked {@code L}, unlocked
 * {@code U}, allocated {@code A} and consumed {@code C}, per component (per order under Rényi
 * accounting). Immutable: every operation returns a new ledger and checks the invariants first, so
 * a refused operation leaves nothing half done.
 *
 * <p>Invariants, checked on every operation (SPEC promises 1 and 2):
 *
 * <ul>
 *   <li>{@code L >= 0}, {@code A >= 0}, {@code C >= 0} and {@code G = L + U + A + C} exactly, on
 *       every live component;
 *   <li>basic accounting: {@code U >= 0} on both components, so {@code A + C <= G};
 *   <li>Rényi accounting: {@code U >= 0} at one usable order at least (once anything was granted),
 *       so {@code A + C <= G} there, which keeps the block's {@code (epsilon, delta)} guarantee;
 *   <li>consumed never decreases.
 * </ul>
 *
 * <p>A component whose running sums saturate (see {@link Budget}) is retired for good: it never
 * fits a demand again and is left out of the identity check. That can only happen after grants
 * whose demand at that order was millions of times any capacity, and it is conservative.
 */
public final class BlockLedger {

  private final BlockCapacity capacity;
  private final Budget locked;
  private final Budget unlocked;
  private final Budget allocated;
  private final Budget consumed;
  private final boolean[] live;
  private final boolean[] usable;

  private BlockLedger(
      BlockCapacity capacity,
      Budget locked,
      Budget unlocked,
      Budget allocated,
      Budget consumed,
      boolean[] live,
      boolean[] usable) {
    this.capacity = capacity;
    this.locked = locked;
    this.unlocked = unlocked;
    this.allocated = allocated;
    this.consumed = consumed;
    this.live = live;
    this.usable = usable;
  }

  /** A new block: everything locked (DPF section 4). */
  public static BlockLedger fresh(BlockCapacity capacity) {
    Objects.requireNonNull(capacity, "capacity");
    Budget g = capacity.capacity();
    boolean[] usable = capacity.usable();
    return new BlockLedger(capacity, g, g.zero(), g.zero(), g.zero(), usable.clone(), usable);
  }

  /**
   * A ledger restored from recorded values (for example after a restart), checked against the
   * invariants.
   *
   * @throws LedgerException if the values break an invariant
   */
  public static BlockLedger restore(
      BlockCapacity capacity, Budget locked, Budget unlocked, Budget allocated, Budget consumed) {
    Budget g = capacity.capacity();
    for (Budget b : new Budget[] {locked, unlocked, allocated, consumed}) {
      if (!b.sameShape(g)) {
        throw new LedgerException(
            "recorded ledger value " + b + " does not match the block's " + g.describeShape());
      }
    }
    BlockLedger l =
        new BlockLedger(
            capacity, locked, unlocked, allocated, consumed, capacity.usable(), capacity.usable());
    return l.checked(null);
  }

  /** The block's capacity. */
  public BlockCapacity capacity() {
    return capacity;
  }

  /** {@code G}. */
  public Budget total() {
    return capacity.capacity();
  }

  /** {@code L}: not yet unlocked. */
  public Budget locked() {
    return locked;
  }

  /** {@code U}: unlocked and not allocated, what grants draw from ("available"). */
  public Budget unlocked() {
    return unlocked;
  }

  /** {@code A}: held by live claims. */
  public Budget allocated() {
    return allocated;
  }

  /** {@code C}: spent for good. */
  public Budget consumed() {
    return consumed;
  }

  /** {@code G - C}: the most that could ever still be granted. */
  public Budget notConsumed() {
    return total().minus(consumed);
  }

  /** Whether component {@code i} may be used: usable on the block and not retired. */
  public boolean live(int i) {
    return live[i];
  }

  /** A copy of the live flags. */
  public boolean[] liveFlags() {
    return live.clone();
  }

  /** Whether {@code demand} fits in the unlocked budget now. */
  public boolean canGrant(Budget demand) {
    return demand.fitsWithin(unlocked, live);
  }

  /**
   * Whether {@code demand} could ever fit, if all that is not consumed were unlocked and free: the
   * test for early denial (above capacity or above what is not consumed, at every usable order).
   */
  public boolean canEverFit(Budget demand) {
    return demand.fitsWithin(notConsumed(), live);
  }

  /**
   * The demand's share of this block: the largest ratio of a demand component to the capacity, over
   * the usable components (DPF's {@code d_ij / G_j}; under Rényi accounting, over usable orders).
   * Depends only on the capacity, so a claim's share of a block never changes.
   */
  public double share(Budget demand) {
    return demand.share(total(), usable);
  }

  /** Whether nothing is allocated and nothing consumed. */
  public boolean untouched() {
    return allocated.isZero() && consumed.isZero();
  }

  /**
   * Unlocks up to a cumulative level: afterwards {@code G - L >= level} on every component. Never
   * locks anything again (unlocked budget never goes down).
   */
  public BlockLedger unlockTo(Budget level) {
    Budget already = total().minus(locked);
    Budget target = already.max(level).min(total());
    Budget more = target.minus(already);
    if (more.isZero()) {
      return this;
    }
    return new BlockLedger(
            capacity, locked.minus(more), unlocked.plus(more), allocated, consumed, live, usable)
        .checked(this);
  }

  /** Unlocks everything. */
  public BlockLedger unlockAll() {
    return unlockTo(total());
  }

  /**
   * Grants {@code demand}: {@code U -= d, A += d}.
   *
   * @throws LedgerException if it does not fit
   */
  public BlockLedger grant(Budget demand) {
    if (!canGrant(demand)) {
      throw new LedgerException(
          "grant of " + demand + " does not fit in the unlocked budget " + unlocked);
    }
    return new BlockLedger(
            capacity,
            locked,
            unlocked.minus(demand),
            allocated.plus(demand),
            consumed,
            live,
            usable)
        .checked(this);
  }

  /**
   * Consumes a grant, possibly partly: {@code A -= granted, C += spent, U += granted - spent}. The
   * unspent remainder goes back to the unlocked budget.
   *
   * @throws LedgerException if {@code spent} exceeds {@code granted} anywhere, is negative, or the
   *     grant is not held
   */
  public BlockLedger consume(Budget granted, Budget spent) {
    if (!spent.isNonNegative() || !spent.fitsEverywhereWithin(granted)) {
      throw new LedgerException(
          "spent " + spent + " must be >= 0 and at most the grant " + granted + " everywhere");
    }
    return new BlockLedger(
            capacity,
            locked,
            unlocked.plus(granted.minus(spent)),
            allocated.minus(granted),
            consumed.plus(spent),
            live,
            usable)
        .checked(this);
  }

  /** Gives a grant back unspent: {@code A -= granted, U += granted}. */
  public BlockLedger release(Budget granted) {
    return consume(granted, granted.zero());
  }

  /**
   * Retires saturated components, then checks every invariant against {@code before} (null for a
   * restored ledger).
   */
  private BlockLedger checked(BlockLedger before) {
    boolean[] l = live;
    for (int i = 0; i < l.length; i++) {
      if (l[i]
          && (locked.isSaturated(i)
              || unlocked.isSaturated(i)
              || allocated.isSaturated(i)
              || consumed.isSaturated(i))) {
        if (l == live) {
          l = live.clone();
        }
        l[i] = false;
      }
    }
    Budget g = total();
    boolean renyi = g.kind() == Budget.Kind.RENYI;
    boolean someOrderWithin = false;
    for (int i = 0; i < g.dimensions(); i++) {
      if (before != null
          && consumed.units(i) < before.consumed.units(i)
          && !consumed.isSaturated(i)) {
        throw new LedgerException("consumed budget would decrease at " + g.dimensionName(i));
      }
      if (!l[i]) {
        continue;
      }
      long lo = locked.units(i);
      long u = unlocked.units(i);
      long a = allocated.units(i);
      long c = consumed.units(i);
      if (lo < 0 || a < 0 || c < 0) {
        throw new LedgerException(
            "negative ledger value at " + g.dimensionName(i) + ": " + describe());
      }
      if (lo + u + a + c != g.units(i)) {
        throw new LedgerException(
            "G != L + U + A + C at " + g.dimensionName(i) + ": " + describe());
      }
      if (u >= 0) {
        someOrderWithin = true;
      } else if (!renyi) {
        throw new LedgerException("over-allocated at " + g.dimensionName(i) + ": " + describe());
      }
    }
    if (renyi && !someOrderWithin && !(allocated.isZero() && consumed.isZero())) {
      throw new LedgerException("over-allocated at every usable order: " + describe());
    }
    return l == live
        ? this
        : new BlockLedger(capacity, locked, unlocked, allocated, consumed, l, usable);
  }

  /** The four parts, for messages. */
  public String describe() {
    return "G=" + total() + " L=" + locked + " U=" + unlocked + " A=" + allocated + " C="
        + consumed;
  }

  @Override
  public boolean equals(Object o) {
    return this == o
        || (o instanceof BlockLedger b
            && capacity.equals(b.capacity)
            && locked.equals(b.locked)
            && unlocked.equals(b.unlocked)
            && allocated.equals(b.allocated)
            && consumed.equals(b.consumed)
            && Arrays.equals(live, b.live));
  }

  @Override
  public int hashCode() {
    return Objects.hash(locked, unlocked, allocated, consumed);
  }

  @Override
  public String toString() {
    return "BlockLedger{" + describe() + "}";
  }
}
