package dev.privacy.dpf.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * An immutable privacy budget: either a basic-composition pair {@code (epsilon, delta)} or a Rényi
 * curve (one epsilon per order of an {@link Orders} set). All budget arithmetic of the project goes
 * through this type.
 *
 * <h2>Why decimal fixed point, and which way it rounds</h2>
 *
 * Values are held as exact decimal fixed-point integers: epsilon in units of 10<sup>-12</sup> and
 * delta in units of 10<sup>-18</sup>. Sums and differences of units are exact, so a ledger identity
 * such as {@code G = L + U + A + C} holds exactly and no comparison needs a tolerance (the
 * predecessor's 1e-12 tolerance let grants exceed the budget).
 *
 * <p>A double becomes units once, through its shortest decimal form ({@link
 * BigDecimal#valueOf(double)}), which is the number a user wrote in YAML: {@code 0.1} is exactly
 * 10<sup>11</sup> units, so a demand of 0.1 fits a block of 0.1, and a fair share {@code G/N} of a
 * decimal {@code G} is not lost to binary representation. Digits beyond the unit are rounded
 * <em>outward</em>: a demand up ({@link #epsDelta}, {@link #curve}), a capacity down ({@link
 * BlockCapacity}). A grant that passes in units therefore also passes in exact arithmetic on the
 * user's numbers: {@code demand <= ceil(demand) <= floor(capacity) <= capacity}. Formulas evaluated
 * in floating point (capacities, mechanism curves, conversions) first move their result outward by
 * a margin far above their rounding error; see {@link Conversion} and {@link Mechanisms}.
 *
 * <h2>Range</h2>
 *
 * A block's epsilon is at most {@link #MAX_EPSILON} (10<sup>6</sup>). Components of a Rényi demand
 * curve can be far larger at high orders; a value of {@link #SATURATED} units or more is stored as
 * {@code SATURATED}, which means "more than any capacity". Arithmetic saturates at {@code
 * +-SATURATED} and a saturated component stays saturated (sticky), so it can never fit anywhere;
 * that is conservative and never lets a grant pass.
 *
 * <p>Values built from user numbers are never negative. Differences (for example the unlocked
 * budget of a Rényi block after a grant, which may go below zero at orders other than the one the
 * grant fitted at) may be.
 */
public final class Budget {

  /** The shape of a budget. */
  public enum Kind {
    /** Basic composition: an {@code (epsilon, delta)} pair; both components must fit. */
    BASIC,
    /** A Rényi curve; a demand fits if it fits at one or more orders. */
    RENYI
  }

  /** Decimal digits of an epsilon unit: 10^-12. */
  static final int EPSILON_DIGITS = 12;

  /** Decimal digits of a delta unit: 10^-18. */
  static final int DELTA_DIGITS = 18;

  /** One epsilon unit. */
  public static final double EPSILON_UNIT = 1e-12;

  /** Saturation bound, in units; a component at this bound is "more than any capacity". */
  public static final long SATURATED = 1L << 61;

  /** The largest epsilon a block may have (10^6). */
  public static final double MAX_EPSILON = 1e6;

  private final Kind kind;
  private final Orders orders;
  private final long[] units;

  private Budget(Kind kind, Orders orders, long[] units) {
    this.kind = kind;
    this.orders = orders;
    this.units = units;
  }

  /**
   * A basic-composition demand, rounded up to the next unit.
   *
   * @throws IllegalArgumentException if epsilon is negative, NaN or infinite, or delta is outside
   *     {@code [0, 1)}
   */
  public static Budget epsDelta(double epsilon, double delta) {
    checkEpsilon("epsilon", epsilon);
    checkDelta("delta", delta);
    return new Budget(
        Kind.BASIC, null, new long[] {up(epsilon, EPSILON_DIGITS), up(delta, DELTA_DIGITS)});
  }

  /**
   * A Rényi demand curve, each value rounded up to the next unit.
   *
   * @throws IllegalArgumentException if the lengths differ or a value is negative, NaN or infinite
   */
  public static Budget curve(Orders orders, double... epsilons) {
    Objects.requireNonNull(orders, "orders");
    if (epsilons == null || epsilons.length != orders.size()) {
      throw new IllegalArgumentException(
          "a curve needs one epsilon per order: "
              + (epsilons == null ? 0 : epsilons.length)
              + " epsilons for "
              + orders.size()
              + " orders "
              + orders);
    }
    long[] u = new long[epsilons.length];
    for (int i = 0; i < u.length; i++) {
      checkEpsilon("epsilon at order " + format(orders.alpha(i)), epsilons[i]);
      u[i] = up(epsilons[i], EPSILON_DIGITS);
    }
    return new Budget(Kind.RENYI, orders, u);
  }

  /** The zero budget of a basic pair. */
  public static Budget zeroBasic() {
    return new Budget(Kind.BASIC, null, new long[2]);
  }

  /** The zero curve over the given orders. */
  public static Budget zeroCurve(Orders orders) {
    return new Budget(
        Kind.RENYI, Objects.requireNonNull(orders, "orders"), new long[orders.size()]);
  }

  /**
   * A budget of the same shape as this one with the given units (for callers that sum units in
   * arrays on a hot path, see {@link #units(int)}); values are clamped to {@code +-SATURATED}.
   */
  public Budget withUnits(long[] newUnits) {
    if (newUnits.length != units.length) {
      throw new IllegalArgumentException(
          "expected " + units.length + " components, got " + newUnits.length);
    }
    long[] r = new long[newUnits.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = Math.max(-SATURATED, Math.min(SATURATED, newUnits[i]));
    }
    return new Budget(kind, orders, r);
  }

  /** A zero budget of the same shape as this one. */
  public Budget zero() {
    return new Budget(kind, orders, new long[units.length]);
  }

  /**
   * A basic capacity, rounded down (package-private: capacities come from {@link BlockCapacity}).
   */
  static Budget basicCapacity(double epsilon, double delta) {
    return new Budget(
        Kind.BASIC, null, new long[] {down(epsilon, EPSILON_DIGITS), down(delta, DELTA_DIGITS)});
  }

  /** A capacity curve, rounded down; values that are not positive become zero. */
  static Budget curveCapacity(Orders orders, double[] epsilons) {
    long[] u = new long[epsilons.length];
    for (int i = 0; i < u.length; i++) {
      u[i] = epsilons[i] > 0 ? down(epsilons[i], EPSILON_DIGITS) : 0;
    }
    return new Budget(Kind.RENYI, orders, u);
  }

  static void checkEpsilon(String name, double epsilon) {
    if (!Double.isFinite(epsilon) || epsilon < 0) {
      throw new IllegalArgumentException(
          name + " must be a finite number >= 0, got " + format(epsilon));
    }
  }

  static void checkDelta(String name, double delta) {
    if (!(delta >= 0 && delta < 1)) {
      throw new IllegalArgumentException(name + " must be in [0, 1), got " + format(delta));
    }
  }

  private static final BigDecimal SATURATED_DECIMAL = BigDecimal.valueOf(SATURATED);

  private static long up(double value, int digits) {
    return toUnits(value, digits, RoundingMode.CEILING);
  }

  private static long down(double value, int digits) {
    return toUnits(value, digits, RoundingMode.FLOOR);
  }

  private static long toUnits(double value, int digits, RoundingMode mode) {
    BigDecimal units = BigDecimal.valueOf(value).movePointRight(digits).setScale(0, mode);
    if (units.compareTo(SATURATED_DECIMAL) >= 0) {
      return mode == RoundingMode.CEILING ? SATURATED : SATURATED - 1;
    }
    return units.longValueExact();
  }

  /** Whether this is a basic pair or a Rényi curve. */
  public Kind kind() {
    return kind;
  }

  /** The orders of a Rényi curve; {@code null} for a basic pair. */
  public Orders orders() {
    return orders;
  }

  /** The number of components: 2 for a basic pair, the number of orders for a curve. */
  public int dimensions() {
    return units.length;
  }

  /** The exact fixed-point value of component {@code i}. */
  public long units(int i) {
    return units[i];
  }

  /** Component {@code i} as a double (for display and shares; never for decisions). */
  public double value(int i) {
    return BigDecimal.valueOf(units[i], digits(i)).doubleValue();
  }

  /** The epsilon of a basic pair. */
  public double epsilon() {
    requireKind(Kind.BASIC);
    return value(0);
  }

  /** The delta of a basic pair. */
  public double delta() {
    requireKind(Kind.BASIC);
    return value(1);
  }

  /** The epsilon of a curve at order index {@code i}. */
  public double epsilonAt(int i) {
    requireKind(Kind.RENYI);
    return value(i);
  }

  /** The name of component {@code i}: "epsilon", "delta" or "order 2.5". */
  public String dimensionName(int i) {
    if (kind == Kind.BASIC) {
      return i == 0 ? "epsilon" : "delta";
    }
    return "order " + format(orders.alpha(i));
  }

  private int digits(int i) {
    return kind == Kind.BASIC && i == 1 ? DELTA_DIGITS : EPSILON_DIGITS;
  }

  /** Whether component {@code i} is saturated (beyond any capacity). */
  public boolean isSaturated(int i) {
    return units[i] >= SATURATED || units[i] <= -SATURATED;
  }

  /** Whether every component is zero. */
  public boolean isZero() {
    for (long u : units) {
      if (u != 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether no component is negative. */
  public boolean isNonNegative() {
    for (long u : units) {
      if (u < 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether this budget has the same kind and orders as {@code other}. */
  public boolean sameShape(Budget other) {
    return kind == other.kind && Objects.equals(orders, other.orders);
  }

  private void requireSameShape(Budget other) {
    if (!sameShape(other)) {
      throw new IllegalArgumentException(
          "cannot combine " + describeShape() + " with " + other.describeShape());
    }
  }

  private void requireKind(Kind k) {
    if (kind != k) {
      throw new IllegalStateException("expected a " + k + " budget, got " + describeShape());
    }
  }

  /** "an (epsilon, delta) pair" or "a Rényi curve over orders [..]". */
  public String describeShape() {
    return kind == Kind.BASIC
        ? "an (epsilon, delta) pair"
        : "a Renyi curve over orders " + orders.toString();
  }

  /** This plus {@code other}, component by component (saturating). */
  public Budget plus(Budget other) {
    requireSameShape(other);
    long[] r = new long[units.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = saturatingAdd(units[i], other.units[i]);
    }
    return new Budget(kind, orders, r);
  }

  /** This minus {@code other}, component by component (saturating). */
  public Budget minus(Budget other) {
    requireSameShape(other);
    long[] r = new long[units.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = saturatingAdd(units[i], -other.units[i]);
    }
    return new Budget(kind, orders, r);
  }

  /**
   * Saturating addition of two values in {@code [-SATURATED, SATURATED]}. A saturated operand keeps
   * its bound (sticky), the left one winning when both are saturated; otherwise the exact sum,
   * which cannot overflow a long, is clamped to the bounds.
   */
  public static long saturatingAdd(long a, long b) {
    if (a >= SATURATED || a <= -SATURATED) {
      return a;
    }
    if (b >= SATURATED || b <= -SATURATED) {
      return b;
    }
    long s = a + b;
    return s >= SATURATED ? SATURATED : (s <= -SATURATED ? -SATURATED : s);
  }

  /**
   * Whether this demand fits in {@code available}: under basic composition, every component must
   * fit; for a curve, at least one order that {@code usable} allows. Available budget is always
   * below {@link #SATURATED}, so a saturated demand component never fits.
   */
  public boolean fitsWithin(Budget available, boolean[] usable) {
    requireSameShape(available);
    if (kind == Kind.BASIC) {
      return fitsEverywhereWithin(available);
    }
    for (int i = 0; i < units.length; i++) {
      if (usable[i] && units[i] <= available.units[i]) {
        return true;
      }
    }
    return false;
  }

  /** Whether every component of this budget is at most the same component of {@code bound}. */
  public boolean fitsEverywhereWithin(Budget bound) {
    requireSameShape(bound);
    for (int i = 0; i < units.length; i++) {
      if (units[i] > bound.units[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The largest ratio of a component of this budget to the same component of {@code capacity}, over
   * the components {@code usable} allows whose capacity is positive. Used to order claims (never to
   * decide whether one fits), so a double is fine. Zero if no component qualifies.
   */
  public double share(Budget capacity, boolean[] usable) {
    requireSameShape(capacity);
    double max = 0;
    for (int i = 0; i < units.length; i++) {
      if (usable[i] && capacity.units[i] > 0) {
        double s = (double) units[i] / capacity.units[i];
        if (s > max) {
          max = s;
        }
      }
    }
    return max;
  }

  /**
   * {@code this * numerator / denominator} per component, exactly, rounded as {@code mode} says
   * ({@code FLOOR} or {@code CEILING}), for {@code 0 <= numerator <= denominator}. Used to unlock a
   * fraction of a capacity (DPF-N's k/N, DPF-T's elapsed/T).
   */
  public Budget fraction(long numerator, long denominator, RoundingMode mode) {
    if (denominator <= 0 || numerator < 0 || numerator > denominator) {
      throw new IllegalArgumentException(
          "fraction must be within [0, 1], got " + numerator + "/" + denominator);
    }
    if (mode != RoundingMode.FLOOR && mode != RoundingMode.CEILING) {
      throw new IllegalArgumentException("rounding must be FLOOR or CEILING, got " + mode);
    }
    long[] r = new long[units.length];
    for (int i = 0; i < r.length; i++) {
      long v = units[i];
      if (v < 0 || v >= SATURATED) {
        throw new IllegalStateException("cannot take a fraction of " + this);
      }
      // v * n / d = (v / d) * n + (v % d) * n / d; the last product may need 128 bits
      long whole = (v / denominator) * numerator;
      long rest = v % denominator;
      long part;
      if (Math.multiplyHigh(rest, numerator) == 0 && rest * numerator >= 0) {
        long p = rest * numerator;
        part = p / denominator + (mode == RoundingMode.CEILING && p % denominator != 0 ? 1 : 0);
      } else {
        part =
            BigDecimal.valueOf(rest)
                .multiply(BigDecimal.valueOf(numerator))
                .divide(BigDecimal.valueOf(denominator), 0, mode)
                .longValueExact();
      }
      r[i] = whole + part;
    }
    return new Budget(kind, orders, r);
  }

  /** This times {@code k >= 0}, component by component (saturating). */
  public Budget times(long k) {
    if (k < 0) {
      throw new IllegalArgumentException("factor must be >= 0, got " + k);
    }
    long[] r = new long[units.length];
    for (int i = 0; i < r.length; i++) {
      long v = units[i];
      if (v >= SATURATED || v <= -SATURATED) {
        r[i] = v;
      } else if (k != 0 && Math.abs(v) > (SATURATED - 1) / k) { // |v| * k >= SATURATED
        r[i] = v < 0 ? -SATURATED : SATURATED;
      } else {
        r[i] = v * k;
      }
    }
    return new Budget(kind, orders, r);
  }

  /** The component-wise maximum of this and {@code other}. */
  public Budget max(Budget other) {
    requireSameShape(other);
    long[] r = new long[units.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = Math.max(units[i], other.units[i]);
    }
    return new Budget(kind, orders, r);
  }

  /** The component-wise minimum of this and {@code other}. */
  public Budget min(Budget other) {
    requireSameShape(other);
    long[] r = new long[units.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = Math.min(units[i], other.units[i]);
    }
    return new Budget(kind, orders, r);
  }

  @Override
  public boolean equals(Object o) {
    return this == o
        || (o instanceof Budget b
            && kind == b.kind
            && Objects.equals(orders, b.orders)
            && Arrays.equals(units, b.units));
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, orders, Arrays.hashCode(units));
  }

  @Override
  public String toString() {
    if (kind == Kind.BASIC) {
      return "(epsilon=" + format(value(0)) + ", delta=" + format(value(1)) + ")";
    }
    StringJoiner j = new StringJoiner(", ", "{", "}");
    for (int i = 0; i < units.length; i++) {
      j.add(format(orders.alpha(i)) + ": " + (isSaturated(i) ? "huge" : format(value(i))));
    }
    return j.toString();
  }

  private static final java.util.regex.Pattern TRAILING_ZEROS =
      java.util.regex.Pattern.compile("0+$");
  private static final java.util.regex.Pattern TRAILING_DOT =
      java.util.regex.Pattern.compile("\\.$");
  private static final java.util.regex.Pattern ZEROS_BEFORE_EXPONENT =
      java.util.regex.Pattern.compile("\\.?0+e");

  /** Formats a number compactly for messages (up to 4 significant digits, plain where short). */
  public static String format(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v);
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    if (a >= 1e-3 && a < 1e6) {
      String s = String.format(Locale.ROOT, "%.4g", v);
      if (s.contains(".") && !s.contains("e")) {
        s = TRAILING_DOT.matcher(TRAILING_ZEROS.matcher(s).replaceAll("")).replaceAll("");
      }
      return s;
    }
    return ZEROS_BEFORE_EXPONENT.matcher(String.format(Locale.ROOT, "%.4g", v)).replaceAll("e");
  }
}
