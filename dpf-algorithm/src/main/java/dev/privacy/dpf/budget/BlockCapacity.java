package dev.privacy.dpf.budget;

import java.util.Objects;

/**
 * A block's total budget {@code G} in the shape its accounting needs, with the orders that are
 * usable on it. Under basic accounting both components are usable. Under Rényi accounting an order
 * whose capacity is not positive is unusable: it never enters a share and a demand never fits there
 * (no division by zero, no NaN shares).
 *
 * @param epsilon the block's global epsilon, as given
 * @param delta the block's global delta, as given
 * @param capacity {@code G}, rounded down; zero at unusable orders
 * @param usable per component, whether it may be used
 */
public record BlockCapacity(double epsilon, double delta, Budget capacity, boolean[] usable) {

  public BlockCapacity {
    Objects.requireNonNull(capacity, "capacity");
    usable = usable.clone();
    if (usable.length != capacity.dimensions()) {
      throw new IllegalArgumentException("one usable flag per component expected");
    }
  }

  /**
   * A basic-accounting capacity {@code (epsilon, delta)}.
   *
   * @throws IllegalArgumentException if epsilon is not in {@code (0, 10^6]} or delta not in {@code
   *     [0, 1)}
   */
  public static BlockCapacity basic(double epsilon, double delta) {
    checkGlobal(epsilon, delta);
    Budget g = Budget.basicCapacity(epsilon, delta);
    return new BlockCapacity(epsilon, delta, g, new boolean[] {true, true});
  }

  /**
   * A Rényi capacity: for each order, the largest RDP epsilon that still guarantees {@code
   * (epsilon, delta)} under the given conversion.
   *
   * @throws IllegalArgumentException if epsilon is not in {@code (0, 10^6]} or delta not in {@code
   *     (0, 1)}
   */
  public static BlockCapacity renyi(
      double epsilon, double delta, Orders orders, Conversion conversion) {
    checkGlobal(epsilon, delta);
    if (delta == 0) {
      throw new IllegalArgumentException(
          "block delta is 0: Renyi accounting needs delta > 0 (no order has a positive capacity);"
              + " use basic accounting for a pure-DP block");
    }
    Objects.requireNonNull(orders, "orders");
    Objects.requireNonNull(conversion, "conversion");
    double[] caps = new double[orders.size()];
    boolean[] usable = new boolean[orders.size()];
    for (int i = 0; i < caps.length; i++) {
      caps[i] = conversion.capacity(epsilon, delta, orders.alpha(i));
    }
    Budget g = Budget.curveCapacity(orders, caps);
    for (int i = 0; i < caps.length; i++) {
      usable[i] = g.units(i) > 0;
    }
    return new BlockCapacity(epsilon, delta, g, usable);
  }

  private static void checkGlobal(double epsilon, double delta) {
    if (!(epsilon > 0 && epsilon <= Budget.MAX_EPSILON)) {
      throw new IllegalArgumentException(
          "block epsilon must be > 0 and <= "
              + Budget.format(Budget.MAX_EPSILON)
              + ", got "
              + Budget.format(epsilon));
    }
    Budget.checkDelta("block delta", delta);
  }

  /** Whether component {@code i} is usable. */
  public boolean usable(int i) {
    return usable[i];
  }

  /** A copy of the usable flags. */
  @Override
  public boolean[] usable() {
    return usable.clone();
  }

  /** The number of usable components. */
  public int usableCount() {
    int n = 0;
    for (boolean u : usable) {
      if (u) {
        n++;
      }
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockCapacity c
        && capacity.equals(c.capacity)
        && java.util.Arrays.equals(usable, c.usable)
        && Double.compare(epsilon, c.epsilon) == 0
        && Double.compare(delta, c.delta) == 0;
  }

  @Override
  public int hashCode() {
    return capacity.hashCode() * 31 + java.util.Arrays.hashCode(usable);
  }
}
