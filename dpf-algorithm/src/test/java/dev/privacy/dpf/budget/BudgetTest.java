package dev.privacy.dpf.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.privacy.dpf.budget.RandomInputs.Gen;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixed-point budget (epsilon in units of 10^-12, delta in units of 10^-18): validation,
 * outward rounding of the number the user wrote, exact arithmetic, fitting, saturation, fractions
 * and shares.
 */
class BudgetTest {

  private static final int EPS_DIGITS = 12;
  private static final int DELTA_DIGITS = 18;
  private static final long SAT = 1L << 61;

  /** The smallest double whose epsilon saturates: 2^61 units of 1e-12 is 2305843.009213693952. */
  private static final double FIRST_SATURATED = 2305843.009213694;

  private static final Orders O23 = Orders.of(2, 3);
  private static final Orders O248 = Orders.of(2, 4, 8);

  /** Tries per property over random inputs. */
  private static final int TRIES = 1000;

  // ---------------------------------------------------------------- validation

  @ParameterizedTest(name = "epsilon {0} -> message ends with \"got {1}\"")
  @CsvSource({
    "-1.5, -1.5",
    "-1e-300, -1e-300",
    "-4.9e-324, -4.9e-324",
    "NaN, NaN",
    "Infinity, Infinity",
    "-Infinity, -Infinity"
  })
  void rejectsInvalidEpsilonNamingTheValue(double epsilon, String shown) {
    assertThatThrownBy(() -> Budget.epsDelta(epsilon, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("epsilon must be a finite number >= 0, got " + shown);
    assertThatThrownBy(() -> Budget.curve(O23, 1, epsilon))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("epsilon at order 3 must be a finite number >= 0, got " + shown);
  }

  @ParameterizedTest(name = "delta {0} -> message ends with \"got {1}\"")
  @CsvSource({
    "-0.25, -0.25",
    "-1e-300, -1e-300",
    "1, 1",
    "1.5, 1.5",
    "NaN, NaN",
    "Infinity, Infinity",
    "-Infinity, -Infinity"
  })
  void rejectsDeltaOutsideZeroToOneNamingTheValue(double delta, String shown) {
    assertThatThrownBy(() -> Budget.epsDelta(1, delta))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delta must be in [0, 1), got " + shown);
  }

  @Test
  void acceptsZeroEpsilonAndZeroDelta() {
    assertThat(Budget.epsDelta(0, 0).isZero()).isTrue();
    assertThat(Budget.epsDelta(-0.0, 0).isZero()).isTrue();
    assertThat(Budget.epsDelta(0, 0)).isEqualTo(Budget.zeroBasic());
    assertThat(Budget.curve(O23, 0, 0)).isEqualTo(Budget.zeroCurve(O23));
    assertThat(Budget.curve(O23, 0, 0)).isEqualTo(Budget.curve(O23, 1, 2).zero());
  }

  @ParameterizedTest(name = "({0}, {1}) -> {2} and {3} units")
  @CsvSource({
    "1e-12, 1e-18, 1, 1",
    "4.9e-324, 0x1p-60, 1, 1", // below one unit: rounds up to one
    "0.1, 1e-6, 100000000000, 1000000000000",
    "1.0000000000001, 0.9999999999999999, 1000000000001, 999999999999999900",
    "1000000, 0, 1000000000000000000, 0"
  })
  void userNumbersBecomeUnitsOfTheirDecimalForm(
      double eps, double delta, long epsUnits, long deltaUnits) {
    Budget b = Budget.epsDelta(eps, delta);
    assertThat(b.units(0)).isEqualTo(epsUnits);
    assertThat(b.units(1)).isEqualTo(deltaUnits);
  }

  @ParameterizedTest(name = "{0} epsilons for orders [2, 3]")
  @CsvSource({"0", "1", "3"})
  void rejectsCurveWithWrongLengthNamingBothCounts(int length) {
    assertThatThrownBy(() -> Budget.curve(O23, new double[length]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a curve needs one epsilon per order: " + length + " epsilons for 2 orders [2, 3]");
    assertThatThrownBy(() -> Budget.curve(O23, (double[]) null))
        .hasMessageContaining("0 epsilons for 2 orders");
  }

  @Test
  void rejectsEmptyOrders() {
    assertThatThrownBy(() -> Budget.curve(Orders.of(), new double[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("orders must not be empty");
  }

  static Stream<Arguments> mismatchedShapes() {
    Budget pair = Budget.epsDelta(1, 1e-6);
    Budget on23 = Budget.curve(O23, 1, 2);
    Budget on24 = Budget.curve(Orders.of(2, 4), 1, 2);
    return Stream.of(
        Arguments.of(
            pair, on23, "cannot combine an (epsilon, delta) pair with a Renyi curve over orders"),
        Arguments.of(on23, pair, "cannot combine a Renyi curve over orders [2, 3] with an (eps"),
        Arguments.of(
            on23,
            on24,
            "cannot combine a Renyi curve over orders [2, 3] with a Renyi curve over orders [2, 4]"));
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("mismatchedShapes")
  void rejectsArithmeticOnMismatchedShapesWithAMessage(Budget a, Budget b, String message) {
    for (BinaryOperator<Budget> op :
        List.<BinaryOperator<Budget>>of(Budget::plus, Budget::minus, Budget::max, Budget::min)) {
      assertThatThrownBy(() -> op.apply(a, b))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(message);
    }
    assertThatThrownBy(() -> a.fitsWithin(b, new boolean[] {true, true}))
        .hasMessageStartingWith(message);
    assertThatThrownBy(() -> a.share(b, new boolean[] {true, true}))
        .hasMessageStartingWith(message);
  }

  // ---------------------------------------------------------------- outward rounding

  /**
   * Doubles from every binade below saturation (uniform bit patterns), and decimals n * 10^-k as a
   * user writes them, with and without digits beyond the unit. Edge cases: zero, the smallest
   * doubles, values around one unit, exact decimals, and values at the block maximum and just below
   * saturation.
   */
  static final Gen<Double> EPSILONS =
      RandomInputs.oneOf(
              RandomInputs.longs(0, Double.doubleToRawLongBits(FIRST_SATURATED) - 1)
                  .map(Double::longBitsToDouble),
              decimals(0, 16, 1_000_000_000L),
              decimals(0, 6, 2_000_000L))
          .filter(x -> x < FIRST_SATURATED)
          .withEdges(
              List.of(
                  0.0,
                  Double.MIN_VALUE,
                  Double.MIN_NORMAL,
                  1e-300,
                  1e-16,
                  1e-13,
                  1e-12,
                  1.5e-12,
                  2e-12,
                  1e-7,
                  1e-6,
                  0.1,
                  0.2,
                  0.3,
                  1.0 / 3,
                  0.5,
                  0.999999999999,
                  1.0,
                  Math.nextUp(1.0),
                  1.0000000000001,
                  3.0000000000000004,
                  0.1234567890123,
                  123456.789012345,
                  999999.999999999,
                  Math.nextDown(1e6),
                  1e6,
                  Math.nextUp(1e6),
                  2e6,
                  2305843.009213693,
                  Math.nextDown(Math.nextDown(FIRST_SATURATED)),
                  Math.nextDown(FIRST_SATURATED)));

  /** {@code n * 10^-k}, parsed the way a user's YAML number is. */
  private static Gen<Double> decimals(int minK, int maxK, long maxMantissa) {
    Gen<Long> mantissas = RandomInputs.longs(0, maxMantissa);
    Gen<Integer> exponents = RandomInputs.ints(minK, maxK);
    return Gen.of(
        r -> Double.parseDouble(mantissas.random(r) + "E-" + exponents.random(r)), List.of());
  }

  /** Like {@link #EPSILONS}, restricted to valid block epsilons (0, 10^6]. */
  static final Gen<Double> BLOCK_EPSILONS = EPSILONS.filter(x -> x > 0 && x <= 1e6);

  static final Gen<Double> DELTAS =
      RandomInputs.oneOf(
              RandomInputs.longs(0, Double.doubleToRawLongBits(1.0) - 1)
                  .map(Double::longBitsToDouble),
              decimals(1, 22, 999_999L).filter(d -> d < 1))
          .withEdges(
              List.of(
                  0.0,
                  Double.MIN_VALUE,
                  Double.MIN_NORMAL,
                  1e-300,
                  1e-22,
                  1e-19,
                  1e-18,
                  1.5e-18,
                  0x1p-60,
                  1e-12,
                  1e-9,
                  1e-7,
                  1e-6,
                  0.1,
                  0.3,
                  1.0 / 3,
                  0.5,
                  0.999999,
                  0.999999999999,
                  Math.nextDown(Math.nextDown(1.0)),
                  Math.nextDown(1.0)));

  /** The number the user wrote: the shortest decimal that parses to the double. */
  private static BigDecimal written(double x) {
    return new BigDecimal(Double.toString(x));
  }

  private static long ceilUnits(double x, int digits) {
    return written(x).movePointRight(digits).setScale(0, RoundingMode.CEILING).longValueExact();
  }

  private static long floorUnits(double x, int digits) {
    return written(x).movePointRight(digits).setScale(0, RoundingMode.FLOOR).longValueExact();
  }

  private static boolean isWholeUnits(double x, int digits) {
    return written(x).movePointRight(digits).stripTrailingZeros().scale() <= 0;
  }

  @Test
  void demandRoundsUpToTheNextUnit() {
    RandomInputs.forAll(1, TRIES, EPSILONS, DELTAS, this::demandRoundsUpToTheNextUnit);
  }

  void demandRoundsUpToTheNextUnit(double x, double d) {
    Budget pair = Budget.epsDelta(x, d);
    assertThat(pair.epsilon()).isGreaterThanOrEqualTo(x);
    assertThat(pair.delta()).isGreaterThanOrEqualTo(d);
    assertThat(pair.units(0)).isEqualTo(ceilUnits(x, EPS_DIGITS));
    assertThat(pair.units(1)).isEqualTo(ceilUnits(d, DELTA_DIGITS));
    Budget curve = Budget.curve(O23, x, x);
    assertThat(curve.units(1)).isEqualTo(ceilUnits(x, EPS_DIGITS));
    assertThat(curve.epsilonAt(1)).isGreaterThanOrEqualTo(x);
  }

  @Test
  void capacityRoundsDownToTheUnitBelow() {
    RandomInputs.forAll(2, TRIES, BLOCK_EPSILONS, DELTAS, this::capacityRoundsDownToTheUnitBelow);
  }

  void capacityRoundsDownToTheUnitBelow(double x, double d) {
    Budget cap = BlockCapacity.basic(x, d).capacity();
    assertThat(cap.epsilon()).isLessThanOrEqualTo(x);
    assertThat(cap.delta()).isLessThanOrEqualTo(d);
    assertThat(cap.units(0)).isEqualTo(floorUnits(x, EPS_DIGITS));
    assertThat(cap.units(1)).isEqualTo(floorUnits(d, DELTA_DIGITS));
  }

  /**
   * The safety property of outward rounding: a demand of the same number as a capacity fits it
   * exactly when the number is a whole number of units; otherwise the demand is one unit above the
   * capacity and does not fit.
   */
  @Test
  void demandEqualToCapacityFitsOnlyWhenTheNumberIsWholeUnits() {
    RandomInputs.forAll(
        3, TRIES, BLOCK_EPSILONS, this::demandEqualToCapacityFitsOnlyWhenTheNumberIsWholeUnits);
  }

  void demandEqualToCapacityFitsOnlyWhenTheNumberIsWholeUnits(double x) {
    BlockCapacity block = BlockCapacity.basic(x, 0);
    Budget demand = Budget.epsDelta(x, 0);
    boolean whole = isWholeUnits(x, EPS_DIGITS);
    assertThat(demand.fitsWithin(block.capacity(), block.usable())).isEqualTo(whole);
    assertThat(demand.units(0) - block.capacity().units(0)).isEqualTo(whole ? 0 : 1);
  }

  @Test
  void demandEqualToCapacityDeltaFitsOnlyWhenDeltaIsWholeUnits() {
    RandomInputs.forAll(
        4, TRIES, DELTAS, this::demandEqualToCapacityDeltaFitsOnlyWhenDeltaIsWholeUnits);
  }

  void demandEqualToCapacityDeltaFitsOnlyWhenDeltaIsWholeUnits(double d) {
    BlockCapacity block = BlockCapacity.basic(1, d);
    Budget demand = Budget.epsDelta(1, d);
    boolean whole = isWholeUnits(d, DELTA_DIGITS);
    assertThat(demand.fitsWithin(block.capacity(), block.usable())).isEqualTo(whole);
    assertThat(demand.units(1) - block.capacity().units(1)).isEqualTo(whole ? 0 : 1);
  }

  @ParameterizedTest(name = "({0}, {1}) fits ({0}, {1}): {2}")
  @CsvSource({
    "1, 0, true",
    "0.5, 1e-6, true",
    "0.1, 1e-9, true",
    "0.3, 0.3, true",
    "1e-12, 1e-18, true",
    "123456.789012345, 0, true",
    "1000000, 0.999999999999, true",
    "1e-13, 0, false",
    "0.1234567890123, 0, false",
    "0.3333333333333333, 0, false",
    "3.0000000000000004, 0, false",
    "1, 1e-19, false",
    "1, 0x1p-60, false"
  })
  void demandEqualToCapacityFitsOnlyWhenWholeUnitsExamples(double eps, double delta, boolean fits) {
    BlockCapacity block = BlockCapacity.basic(eps, delta);
    assertThat(Budget.epsDelta(eps, delta).fitsWithin(block.capacity(), block.usable()))
        .isEqualTo(fits);
  }

  // ---------------------------------------------------------------- exact arithmetic

  /**
   * A curve with the given exact units (each below 2^61), built from two short decimals a double
   * carries exactly: the millions of units (at most 13 digits) and the rest (at most 6 digits).
   */
  static Budget curveOfUnits(Orders orders, long... units) {
    double[] hi = new double[units.length];
    double[] lo = new double[units.length];
    for (int i = 0; i < units.length; i++) {
      hi[i] = Double.parseDouble((units[i] / 1_000_000) + "E-6");
      lo[i] = Double.parseDouble((units[i] % 1_000_000) + "E-12");
    }
    Budget b = Budget.curve(orders, hi).plus(Budget.curve(orders, lo));
    for (int i = 0; i < units.length; i++) {
      assertThat(b.units(i)).as("test fixture").isEqualTo(units[i]);
    }
    return b;
  }

  /** Three units each in [0, 2^60): sums of two stay below saturation. */
  static final Gen<long[]> UNIT_TRIPLES =
      RandomInputs.longArrays(
          RandomInputs.longs(0, SAT / 2 - 1),
          3,
          List.of(new long[] {0, SAT / 2 - 1, 1}, new long[] {SAT / 2 - 1, 0, SAT / 2 - 2}));

  @Test
  void plusThenMinusIsExact() {
    RandomInputs.forAll(5, TRIES, UNIT_TRIPLES, UNIT_TRIPLES, this::plusThenMinusIsExact);
  }

  void plusThenMinusIsExact(long[] a, long[] b) {
    Budget x = curveOfUnits(O248, a);
    Budget y = curveOfUnits(O248, b);
    Budget sum = x.plus(y);
    for (int i = 0; i < 3; i++) {
      assertThat(sum.units(i)).isEqualTo(a[i] + b[i]);
      assertThat(sum.isSaturated(i)).isFalse();
    }
    assertThat(sum.minus(y)).isEqualTo(x);
    assertThat(x.minus(y).plus(y)).isEqualTo(x);
    assertThat(y.plus(x)).isEqualTo(sum);
    assertThat(x.minus(x).isZero()).isTrue();
  }

  @Test
  void plusThenMinusIsExactForPairs() {
    RandomInputs.forAll(
        6, TRIES, EPSILONS, DELTAS, EPSILONS, DELTAS, this::plusThenMinusIsExactForPairs);
  }

  void plusThenMinusIsExactForPairs(double e1, double d1, double e2, double d2) {
    Budget a = Budget.epsDelta(e1 / 4, d1 / 2); // sums stay below saturation
    Budget b = Budget.epsDelta(e2 / 4, d2 / 2);
    Budget sum = a.plus(b);
    assertThat(sum.units(0)).isEqualTo(a.units(0) + b.units(0));
    assertThat(sum.units(1)).isEqualTo(a.units(1) + b.units(1));
    assertThat(sum.minus(b)).isEqualTo(a);
  }

  @Test
  void decimalFairSharesAddUpExactly() {
    // 0.1 + 0.2 is 0.3 here, unlike in doubles
    assertThat(Budget.epsDelta(0.1, 0).plus(Budget.epsDelta(0.2, 0)))
        .isEqualTo(Budget.epsDelta(0.3, 0));
    Budget tenth = Budget.epsDelta(0.1, 1e-7);
    Budget sum = Budget.zeroBasic();
    for (int i = 0; i < 10; i++) {
      sum = sum.plus(tenth);
    }
    assertThat(sum).isEqualTo(Budget.epsDelta(1, 1e-6));
  }

  // ---------------------------------------------------------------- fitting

  @ParameterizedTest(name = "demand ({0}, {1}) in ({2}, {3}) -> {4}")
  @CsvSource({
    "0.5, 1e-6, 0.5, 1e-6, true",
    "0.5, 0, 1, 1e-6, true",
    "0.75, 1e-6, 0.5, 1e-6, false",
    "0.5, 2e-6, 0.5, 1e-6, false",
    "0.75, 2e-6, 0.5, 1e-6, false",
    "0.3, 3e-7, 0.3, 3e-7, true",
    "0, 0, 0, 0, true",
    "1e-13, 0, 0, 0, false",
    "0, 1e-19, 0, 0, false"
  })
  void basicDemandFitsOnlyIfBothComponentsFit(
      double eps, double delta, double availEps, double availDelta, boolean fits) {
    Budget demand = Budget.epsDelta(eps, delta);
    Budget available = Budget.epsDelta(availEps, availDelta);
    assertThat(demand.fitsWithin(available, new boolean[] {true, true})).isEqualTo(fits);
    assertThat(demand.fitsEverywhereWithin(available)).isEqualTo(fits);
  }

  @ParameterizedTest(name = "demand {0} in {1}, usable {2} -> {3}")
  @CsvSource({
    // demand at orders 2,4,8 | available | usable | fits
    "1 1 1, 1 1 1, TTT, true",
    "2 2 2, 1 1 1, TTT, false",
    "2 2 0.5, 1 1 1, TTT, true", // one order suffices
    "2 2 0.5, 1 1 1, TTF, false", // ... but not an unusable one
    "0.5 2 2, 1 1 1, FTT, false",
    "0.5 2 2, 1 1 1, TFF, true",
    "0 0 0, 1 1 1, FFF, false", // nothing fits a block without usable orders
    "1 1 1, -1 -1 1, TTT, true", // overdrawn orders do not matter if one order fits
    "1 1 1, -1 -1 1, TTF, false"
  })
  void renyiDemandFitsIfItFitsAtOneUsableOrder(
      String demand, String available, String usable, boolean fits) {
    Budget d = Budget.curve(O248, parse(demand));
    double[] avail = parse(available);
    Budget a = Budget.zeroCurve(O248);
    for (int i = 0; i < 3; i++) {
      double[] one = new double[3];
      one[i] = Math.abs(avail[i]);
      Budget part = Budget.curve(O248, one);
      a = avail[i] < 0 ? a.minus(part) : a.plus(part);
    }
    assertThat(d.fitsWithin(a, flags(usable))).isEqualTo(fits);
  }

  private static double[] parse(String s) {
    return Stream.of(s.trim().split(" +")).mapToDouble(Double::parseDouble).toArray();
  }

  private static boolean[] flags(String s) {
    boolean[] u = new boolean[s.length()];
    for (int i = 0; i < u.length; i++) {
      u[i] = s.charAt(i) == 'T';
    }
    return u;
  }

  // ---------------------------------------------------------------- saturation

  @ParameterizedTest(name = "{0}")
  @CsvSource({"2305843.009213694", "2305844", "3e6", "1e300", "1.7976931348623157e308"})
  void curveValueAtOrAboveTheSaturationBoundIsSaturatedAndNeverFits(double huge) {
    Budget demand = Budget.curve(O23, huge, 1);
    assertThat(demand.isSaturated(0)).isTrue();
    assertThat(demand.units(0)).isEqualTo(SAT);
    assertThat(demand.isSaturated(1)).isFalse();
    assertThat(demand.toString()).isEqualTo("{2: huge, 3: 1}");

    // the largest possible available budget below saturation
    Budget nearlyAll = curveOfUnits(O23, SAT - 1, 0);
    assertThat(nearlyAll.isSaturated(0)).isFalse();
    assertThat(demand.fitsWithin(nearlyAll, flags("TF"))).isFalse();
    BlockCapacity block = BlockCapacity.renyi(1e6, 0.5, O23, Conversion.TIGHT);
    assertThat(demand.fitsWithin(block.capacity(), flags("TF"))).isFalse();

    Budget pair = Budget.epsDelta(huge, 0);
    assertThat(pair.isSaturated(0)).isTrue();
    BlockCapacity basic = BlockCapacity.basic(1e6, 0);
    assertThat(pair.fitsWithin(basic.capacity(), basic.usable())).isFalse();
  }

  @Test
  void valueJustBelowTheSaturationBoundIsNotSaturated() {
    Budget b = Budget.curve(O23, Math.nextDown(FIRST_SATURATED), 0); // 2305843.0092136934
    assertThat(b.isSaturated(0)).isFalse();
    assertThat(b.units(0)).isEqualTo(2_305_843_009_213_693_400L);
  }

  @Test
  void saturatedComponentStaysSaturatedThroughPlusAndMinus() {
    RandomInputs.forAll(
        7, TRIES, UNIT_TRIPLES, this::saturatedComponentStaysSaturatedThroughPlusAndMinus);
  }

  void saturatedComponentStaysSaturatedThroughPlusAndMinus(long[] other) {
    Budget sat = Budget.curve(O248, 3e6, 3e6, 3e6);
    Budget x = curveOfUnits(O248, other);
    for (Budget r : new Budget[] {sat.plus(x), x.plus(sat), sat.minus(x), sat.minus(sat)}) {
      for (int i = 0; i < 3; i++) {
        assertThat(r.units(i)).isEqualTo(SAT);
      }
    }
    // subtracting a saturated demand from anything leaves it "infinitely overdrawn"
    Budget overdrawn = x.minus(sat);
    for (int i = 0; i < 3; i++) {
      assertThat(overdrawn.units(i)).isEqualTo(-SAT);
      assertThat(overdrawn.isSaturated(i)).isTrue();
    }
    assertThat(overdrawn.plus(x)).isEqualTo(overdrawn);
    assertThat(overdrawn.plus(sat)).isEqualTo(overdrawn); // the left operand wins
    assertThat(sat.plus(x).minus(x).isSaturated(0))
        .as("a saturated budget is never brought back into range")
        .isTrue();
  }

  @Test
  void sumOfLargeNonSaturatedValuesSaturatesAndStaysSaturated() {
    Budget big = Budget.curve(O23, 1.5e6, 0);
    assertThat(big.isSaturated(0)).isFalse();
    Budget sum = big.plus(big);
    assertThat(sum.isSaturated(0)).isTrue();
    assertThat(sum.minus(big).isSaturated(0)).isTrue(); // conservative: not 1.5e6 again
    assertThat(sum.units(1)).isZero();
  }

  @ParameterizedTest(name = "saturatingAdd({0}, {1}) = {2}")
  @CsvSource({
    "1, 2, 3",
    "2305843009213693951, 1, 2305843009213693952",
    "2305843009213693952, -5, 2305843009213693952",
    "-5, 2305843009213693952, 2305843009213693952",
    "-2305843009213693951, -1, -2305843009213693952",
    "-2305843009213693952, 2305843009213693952, -2305843009213693952",
    "2305843009213693951, -2305843009213693951, 0"
  })
  void saturatingAddClampsAndIsSticky(long a, long b, long expected) {
    assertThat(Budget.saturatingAdd(a, b)).isEqualTo(expected);
  }

  // ---------------------------------------------------------------- fractions and multiples

  private static final Gen<Long> DENOMINATORS =
      RandomInputs.oneOf(
          RandomInputs.longs(1, Long.MAX_VALUE),
          RandomInputs.longs(1, 1000),
          RandomInputs.values(1L, 2L, 3L, 7L, Long.MAX_VALUE, Long.MAX_VALUE - 1, 1L << 62));

  /** Fractions {numerator, denominator} in [0, 1], with small, huge and extreme denominators. */
  static final Gen<long[]> FRACTIONS =
      Gen.of(
          r -> {
            long den = DENOMINATORS.random(r);
            long num =
                RandomInputs.oneOf(
                        RandomInputs.longs(0, den), RandomInputs.values(0L, den, den - 1, den / 2))
                    .random(r);
            return new long[] {num, den};
          },
          List.of(
              new long[] {0, 1},
              new long[] {1, 1},
              new long[] {1, 2},
              new long[] {1, 3},
              new long[] {2, 3},
              new long[] {6, 7},
              new long[] {0, Long.MAX_VALUE},
              new long[] {1, Long.MAX_VALUE},
              new long[] {Long.MAX_VALUE / 2, Long.MAX_VALUE},
              new long[] {Long.MAX_VALUE - 1, Long.MAX_VALUE},
              new long[] {Long.MAX_VALUE, Long.MAX_VALUE},
              new long[] {1L << 61, 1L << 62},
              new long[] {(1L << 62) - 1, 1L << 62},
              new long[] {Long.MAX_VALUE - 2, Long.MAX_VALUE - 1}));

  private static long exactFraction(long v, long n, long d, RoundingMode mode) {
    BigInteger[] qr =
        BigInteger.valueOf(v)
            .multiply(BigInteger.valueOf(n))
            .divideAndRemainder(BigInteger.valueOf(d));
    long q = qr[0].longValueExact();
    return mode == RoundingMode.CEILING && qr[1].signum() != 0 ? q + 1 : q;
  }

  @Test
  void fractionIsExactInBothDirections() {
    RandomInputs.forAll(
        8,
        TRIES,
        FRACTIONS,
        RandomInputs.longs(0, SAT - 1),
        RandomInputs.longs(0, 1000),
        this::fractionIsExactInBothDirections);
  }

  void fractionIsExactInBothDirections(long[] fraction, long v1, long v2) {
    long n = fraction[0];
    long d = fraction[1];
    Budget b = curveOfUnits(O23, v1, v2);
    for (RoundingMode mode : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
      Budget f = b.fraction(n, d, mode);
      for (int i = 0; i < 2; i++) {
        long v = b.units(i);
        assertThat(f.units(i))
            .as("%s(%d * %d / %d)", mode, v, n, d)
            .isEqualTo(exactFraction(v, n, d, mode));
      }
      assertThat(f.sameShape(b)).isTrue();
    }
  }

  @ParameterizedTest(name = "{0} * {1}/{2} = {3} (floor), {4} (ceiling)")
  @CsvSource({
    "2305843009213693951, 9223372036854775806, 9223372036854775807, 2305843009213693950,"
        + " 2305843009213693951",
    "2305843009213693951, 1, 1, 2305843009213693951, 2305843009213693951",
    "2305843009213693951, 0, 5, 0, 0",
    "2305843009213693951, 3, 4, 1729382256910270463, 1729382256910270464",
    "2305843009213693951, 4611686018427387904, 9223372036854775807, 1152921504606846975,"
        + " 1152921504606846976",
    "7, 1, 2, 3, 4",
    "7, 2, 3, 4, 5",
    "1, 1, 3, 0, 1",
    "0, 1, 3, 0, 0"
  })
  void fractionEdgeCases(long v, long n, long d, long floor, long ceiling) {
    assertThat(exactFraction(v, n, d, RoundingMode.FLOOR)).as("the table").isEqualTo(floor);
    assertThat(exactFraction(v, n, d, RoundingMode.CEILING)).as("the table").isEqualTo(ceiling);
    Budget b = curveOfUnits(Orders.of(2), v);
    assertThat(b.fraction(n, d, RoundingMode.FLOOR).units(0)).isEqualTo(floor);
    assertThat(b.fraction(n, d, RoundingMode.CEILING).units(0)).isEqualTo(ceiling);
  }

  @ParameterizedTest(name = "{0}/{1}")
  @CsvSource({"3, 2", "-1, 2", "0, 0", "1, -1"})
  void fractionOutsideZeroToOneIsRejectedNamingIt(long n, long d) {
    assertThatThrownBy(() -> Budget.epsDelta(1, 0).fraction(n, d, RoundingMode.FLOOR))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fraction must be within [0, 1], got " + n + "/" + d);
  }

  @ParameterizedTest
  @EnumSource(
      value = RoundingMode.class,
      mode = EnumSource.Mode.EXCLUDE,
      names = {"FLOOR", "CEILING"})
  void fractionRefusesRoundingOtherThanFloorOrCeiling(RoundingMode mode) {
    assertThatThrownBy(() -> Budget.epsDelta(1, 0).fraction(1, 3, mode))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rounding must be FLOOR or CEILING, got " + mode);
  }

  @Test
  void fractionOfNegativeOrSaturatedBudgetIsRefused() {
    Budget one = Budget.curve(O23, 1, 1);
    assertThatThrownBy(() -> Budget.zeroCurve(O23).minus(one).fraction(1, 2, RoundingMode.FLOOR))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Budget.curve(O23, 3e6, 1).fraction(1, 2, RoundingMode.FLOOR))
        .isInstanceOf(IllegalStateException.class);
  }

  @ParameterizedTest(name = "{0} units * {1}")
  @CsvSource({
    "1, 0",
    "1, 7",
    "1000000000000, 3",
    "1000000000000, 10000000", // 10^19 units: above 2^63, must saturate, not wrap
    "1152921504606846976, 8", // 2^60 * 8 = 2^63
    "1152921504606846976, 2",
    "1152921504606846975, 2",
    "2305843009213693951, 1",
    "2305843009213693951, 9223372036854775807",
    "0, 9223372036854775807"
  })
  void timesIsExactOrSaturates(long v, long k) {
    Budget b = curveOfUnits(O23, v, v / 2);
    Budget r = b.times(k);
    for (int i = 0; i < 2; i++) {
      BigInteger exact = BigInteger.valueOf(b.units(i)).multiply(BigInteger.valueOf(k));
      long expected = exact.compareTo(BigInteger.valueOf(SAT)) >= 0 ? SAT : exact.longValueExact();
      assertThat(r.units(i)).as("%d * %d", b.units(i), k).isEqualTo(expected);
    }
    Budget negative = Budget.zeroCurve(O23).minus(b).times(k);
    for (int i = 0; i < 2; i++) {
      assertThat(negative.units(i)).isEqualTo(r.units(i) == 0 ? 0 : -r.units(i));
    }
  }

  @Test
  void timesRefusesNegativeFactorsAndKeepsSaturation() {
    assertThatThrownBy(() -> Budget.epsDelta(1, 0).times(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("factor must be >= 0, got -1");
    assertThat(Budget.curve(O23, 3e6, 1).times(0).units(0)).isEqualTo(SAT);
  }

  // ---------------------------------------------------------------- shares

  @Test
  void shareIgnoresUnusableAndZeroCapacityOrders() {
    // eps_G = 0.1, delta_G = 1e-9: neither order 1.5 nor order 64 has capacity
    Orders orders = Orders.of(1.5, 64);
    BlockCapacity block = BlockCapacity.renyi(0.1, 1e-9, orders, Conversion.TIGHT);
    assertThat(block.usableCount()).isZero();
    assertThat(block.capacity().isZero()).isTrue();
    Budget demand = Budget.curve(orders, 1, 1);
    assertThat(demand.share(block.capacity(), block.usable())).isZero();
    // even if a caller marked zero-capacity orders usable, they are skipped (no NaN, no infinity)
    assertThat(demand.share(block.capacity(), flags("TT"))).isZero();
  }

  @ParameterizedTest(name = "demand {0}, capacity {1}, usable {2} -> {3}")
  @CsvSource({
    "1 1 1, 2 4 8, TTT, 0.5",
    "1 1 1, 2 4 8, FTT, 0.25",
    "1 1 1, 0 4 8, TTT, 0.25", // zero capacity counts as unusable even when flagged usable
    "1 1 1, 0 0 0, TTT, 0",
    "1 1 1, 2 4 8, FFF, 0",
    "3 0 16, 2 4 8, TTT, 2",
    "3 0 16, 2 4 8, FTF, 0"
  })
  void shareIsTheLargestRatioOverUsablePositiveCapacities(
      String demand, String capacity, String usable, double expected) {
    Budget d = Budget.curve(O248, parse(demand));
    Budget c = Budget.curve(O248, parse(capacity));
    assertThat(d.share(c, flags(usable))).isEqualTo(expected);
  }

  @Test
  void basicShareIsTheLargerOfEpsilonAndDeltaShares() {
    BlockCapacity block = BlockCapacity.basic(2, 1e-6);
    assertThat(Budget.epsDelta(1, 2.5e-7).share(block.capacity(), block.usable())).isEqualTo(0.5);
    assertThat(Budget.epsDelta(0.25, 5e-7).share(block.capacity(), block.usable())).isEqualTo(0.5);
    BlockCapacity pure = BlockCapacity.basic(2, 0);
    assertThat(Budget.epsDelta(1, 0).share(pure.capacity(), pure.usable())).isEqualTo(0.5);
  }

  // ---------------------------------------------------------------- misc

  @Test
  void equalBudgetsHaveEqualHashCodes() {
    assertThat(Budget.curve(O23, 1, 2)).isEqualTo(Budget.curve(Orders.of(2, 3), 1, 2));
    assertThat(Budget.curve(O23, 1, 2).hashCode())
        .isEqualTo(Budget.curve(Orders.of(2, 3), 1, 2).hashCode());
    assertThat(Budget.curve(O23, 1, 2)).isNotEqualTo(Budget.curve(Orders.of(2, 4), 1, 2));
    assertThat(Budget.curve(O23, 1, 2)).isNotEqualTo(Budget.curve(O23, 1, 2.5));
    assertThat(Budget.epsDelta(1, 0)).isNotEqualTo(Budget.curve(O23, 1, 0));
  }

  @Test
  void accessorsOfTheWrongKindAreRefused() {
    assertThatThrownBy(() -> Budget.curve(O23, 1, 2).epsilon())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expected a BASIC budget");
    assertThatThrownBy(() -> Budget.epsDelta(1, 0).epsilonAt(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expected a RENYI budget");
  }

  @Test
  void maxAndMinAreComponentwise() {
    RandomInputs.forAll(9, 100, UNIT_TRIPLES, UNIT_TRIPLES, this::maxAndMinAreComponentwise);
  }

  void maxAndMinAreComponentwise(long[] a, long[] b) {
    Budget x = curveOfUnits(O248, a);
    Budget y = curveOfUnits(O248, b);
    for (int i = 0; i < 3; i++) {
      assertThat(x.max(y).units(i)).isEqualTo(Math.max(a[i], b[i]));
      assertThat(x.min(y).units(i)).isEqualTo(Math.min(a[i], b[i]));
    }
  }
}
