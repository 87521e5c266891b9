package dev.privacy.dpf.budget;

import java.util.Objects;

/**
 * Turns what a claim asks for into the shape a block accounts in (SPEC "Demand and accounting").
 *
 * <ul>
 *   <li>On a Rényi block, a curve over the block's orders is taken as it is, a curve over other
 *       orders is projected onto them soundly ({@link #project}), and a pure-DP pair {@code
 *       (epsilon, 0)} becomes the curve {@code min(epsilon, a * epsilon^2 / 2)} (pure DP implies
 *       zCDP with {@code rho = epsilon^2 / 2}). A pair with {@code delta > 0} cannot be composed
 *       under Rényi accounting and is refused.
 *   <li>On a basic block, a pair is taken as it is, and a curve is converted to {@code (epsilon,
 *       delta)} at the claim's conversion delta, which is then required.
 * </ul>
 */
public final class Demands {

  private Demands() {}

  /** Why a demand cannot be placed on a block; the message names the values. */
  public static final class IncompatibleDemandException extends IllegalArgumentException {
    public IncompatibleDemandException(String message) {
      super(message);
    }
  }

  /**
   * The demand in the block's shape.
   *
   * @param demand what the claim asks for
   * @param blockKind the block's accounting
   * @param blockOrders the block's orders (Rényi accounting), or null
   * @param conversionDelta the delta at which a curve becomes a pair on a basic block, or null
   * @param conversion the conversion used for that
   * @throws IncompatibleDemandException if the demand cannot be expressed on the block
   */
  public static Budget forBlock(
      Budget demand,
      Budget.Kind blockKind,
      Orders blockOrders,
      Double conversionDelta,
      Conversion conversion) {
    Objects.requireNonNull(demand, "demand");
    if (blockKind == Budget.Kind.RENYI) {
      Objects.requireNonNull(blockOrders, "blockOrders");
      if (demand.kind() == Budget.Kind.RENYI) {
        return demand.orders().equals(blockOrders) ? demand : project(demand, blockOrders);
      }
      if (demand.units(1) != 0) {
        throw new IncompatibleDemandException(
            "an (epsilon, delta) demand with delta > 0 (delta="
                + Budget.format(demand.delta())
                + ") cannot be composed under Renyi accounting: give an rdp curve or a mechanism");
      }
      return pureDpCurve(demand.epsilon(), blockOrders);
    }
    if (demand.kind() == Budget.Kind.BASIC) {
      return demand;
    }
    if (conversionDelta == null) {
      throw new IncompatibleDemandException(
          "the block uses basic accounting: a curve or mechanism demand needs demand.delta to be"
              + " converted to (epsilon, delta)");
    }
    double delta = conversionDelta;
    if (!(delta > 0 && delta < 1)) {
      throw new IncompatibleDemandException(
          "demand.delta must be in (0, 1), got " + Budget.format(delta));
    }
    double eps = conversion.toEpsilon(demand, delta).epsilon();
    if (!Double.isFinite(eps)) {
      throw new IncompatibleDemandException(
          "the demand curve gives no finite epsilon at delta " + Budget.format(delta));
    }
    return Budget.epsDelta(eps, delta);
  }

  /**
   * A curve moved onto other orders: at each target order, the curve's value at the smallest of its
   * own orders that is not below it. Rényi divergence does not decrease with the order, so a bound
   * at a higher order bounds every lower one: the result is sound (exact where the orders match). A
   * target order above all of the curve's orders has no bound and is saturated (it never fits).
   *
   * @throws IncompatibleDemandException if no target order is at or below the curve's highest order
   */
  public static Budget project(Budget curve, Orders target) {
    Orders own = curve.orders();
    double[] eps = new double[target.size()];
    boolean any = false;
    int j = 0;
    for (int i = 0; i < eps.length; i++) {
      double a = target.alpha(i);
      while (j < own.size() && own.alpha(j) < a) {
        j++;
      }
      if (j < own.size() && !curve.isSaturated(j)) {
        eps[i] = curve.epsilonAt(j);
        any = true;
      } else {
        eps[i] = Budget.MAX_EPSILON * 4; // saturates: no bound at this order
      }
    }
    if (!any) {
      throw new IncompatibleDemandException(
          "the demand curve's orders "
              + own
              + " all lie below the block's orders "
              + target
              + ": give the curve at order "
              + Budget.format(target.alpha(0))
              + " or above");
    }
    return Budget.curve(target, eps);
  }

  /**
   * The demand with each component capped at one unit above the block's capacity. A component above
   * the capacity can never fit there, and capping it keeps that true while the ledger's sums stay
   * small: a grant released later restores the block exactly, where an enormous component (a DP-SGD
   * curve at order 64, say) could saturate the sums and retire the order for good. Sound: at an
   * order where the true demand exceeds the capacity, the capped one does too.
   */
  public static Budget capAt(Budget demand, Budget capacity) {
    if (!demand.sameShape(capacity)) {
      throw new IncompatibleDemandException(
          "cannot cap " + demand.describeShape() + " at " + capacity.describeShape());
    }
    long[] u = new long[demand.dimensions()];
    boolean changed = false;
    for (int i = 0; i < u.length; i++) {
      long limit = capacity.units(i) + 1;
      u[i] = Math.min(demand.units(i), limit);
      changed |= u[i] != demand.units(i);
    }
    return changed ? demand.withUnits(u) : demand;
  }

  /** The Rényi curve of an epsilon-DP mechanism: {@code min(epsilon, a * epsilon^2 / 2)}. */
  public static Budget pureDpCurve(double epsilon, Orders orders) {
    double[] eps = new double[orders.size()];
    for (int i = 0; i < eps.length; i++) {
      eps[i] = Math.min(epsilon, orders.alpha(i) * epsilon * epsilon / 2);
    }
    // min(epsilon, ...) is exact at the first argument; the product is moved up past its rounding.
    for (int i = 0; i < eps.length; i++) {
      if (eps[i] != epsilon) {
        eps[i] = eps[i] * (1 + 1e-12) + Budget.EPSILON_UNIT;
      }
    }
    return Budget.curve(orders, eps);
  }
}
