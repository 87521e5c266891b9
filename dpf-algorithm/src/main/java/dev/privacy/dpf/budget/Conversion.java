package dev.privacy.dpf.budget;

/**
 * The two sound conversions between a Rényi curve and an {@code (epsilon, delta)} guarantee, in
 * both directions: a block's capacity per order from its {@code (eps_G, delta_G)}, and a curve's
 * epsilon at a given delta (for reports, and for demands placed on basic-accounting blocks).
 *
 * <p>Each formula is evaluated in double precision, then moved outward by a margin of
 * 2<sup>-40</sup> times the sum of the magnitudes of its terms: capacities down, epsilons up. That
 * margin is about a thousand times the worst rounding error of the few floating-point operations
 * involved, so the result stays on the safe side of the exact value.
 */
public enum Conversion {
  /**
   * The classic conversion (Mironov 2017), used by PrivateKube, DPack and Cohere: {@code eps =
   * rdp(a) + ln(1/delta) / (a - 1)}.
   */
  CLASSIC,
  /**
   * The tight conversion (Balle et al. 2020; Canonne, Kamath and Steinke 2020), used by Opacus and
   * dp-accounting: {@code eps = rdp(a) + ln((a-1)/a) - (ln delta + ln a) / (a - 1)}. Always gives a
   * smaller epsilon, hence a larger capacity, than {@link #CLASSIC}. The default.
   */
  TIGHT;

  static final double MARGIN = 1e-12;

  /**
   * The Rényi capacity at order {@code alpha} of a block guaranteeing {@code (epsilon, delta)},
   * rounded down; it may be zero or negative, in which case the order is unusable for the block.
   * With {@code delta == 0} no order is usable (the result is negative infinity).
   */
  public double capacity(double epsilon, double delta, double alpha) {
    if (delta == 0) {
      return Double.NEGATIVE_INFINITY;
    }
    double logInvDelta = -Math.log(delta);
    double a1 = alpha - 1;
    double value;
    double magnitude;
    if (this == CLASSIC) {
      double t = logInvDelta / a1;
      value = epsilon - t;
      magnitude = Math.abs(epsilon) + Math.abs(t);
    } else {
      double t1 = (logInvDelta - Math.log(alpha)) / a1;
      double t2 = Math.log(alpha / a1);
      value = epsilon - t1 + t2;
      magnitude = Math.abs(epsilon) + Math.abs(t1) + Math.abs(t2) + Math.log(alpha) / a1;
    }
    return value - magnitude * MARGIN;
  }

  /**
   * The epsilon guaranteed at {@code delta} by an RDP bound {@code rdp} at order {@code alpha},
   * rounded up.
   */
  public double epsilon(double rdp, double alpha, double delta) {
    double logInvDelta = -Math.log(delta);
    double a1 = alpha - 1;
    double value;
    double magnitude;
    if (this == CLASSIC) {
      double t = logInvDelta / a1;
      value = rdp + t;
      magnitude = Math.abs(rdp) + Math.abs(t);
    } else {
      double t1 = Math.log(a1 / alpha);
      double t2 = (logInvDelta - Math.log(alpha)) / a1;
      value = rdp + t1 + t2;
      magnitude = Math.abs(rdp) + Math.abs(t1) + Math.abs(t2) + Math.log(alpha) / a1;
    }
    return value + magnitude * MARGIN;
  }

  /**
   * The smallest epsilon the curve guarantees at {@code delta}, over its orders, rounded up.
   *
   * @throws IllegalArgumentException if the budget is not a curve or delta is not in {@code (0, 1)}
   */
  public EpsilonAtOrder toEpsilon(Budget curve, double delta) {
    if (curve.kind() != Budget.Kind.RENYI) {
      throw new IllegalArgumentException("toEpsilon needs a Renyi curve, got " + curve);
    }
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException(
          "delta must be in (0, 1) to convert a Renyi curve, got " + Budget.format(delta));
    }
    double best = Double.POSITIVE_INFINITY;
    double bestAlpha = Double.NaN;
    for (int i = 0; i < curve.dimensions(); i++) {
      if (curve.isSaturated(i)) {
        continue;
      }
      double alpha = curve.orders().alpha(i);
      double eps = epsilon(curve.epsilonAt(i), alpha, delta);
      if (eps < best) {
        best = eps;
        bestAlpha = alpha;
      }
    }
    return new EpsilonAtOrder(Math.max(0, best), bestAlpha);
  }

  /** An epsilon and the order that gave it. */
  public record EpsilonAtOrder(double epsilon, double order) {}
}
