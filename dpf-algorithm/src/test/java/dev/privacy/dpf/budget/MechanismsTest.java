package dev.privacy.dpf.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.privacy.dpf.budget.RandomInputs.Gen;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Mechanism curves against values computed independently here (BigDecimal series, the other closed
 * form of the Laplace curve) and against the Opacus check value of REFERENCE.md.
 */
class MechanismsTest {

  /** One epsilon unit. */
  private static final double UNIT = 1e-12;

  /** Twice the relative margin the code promises (10^-10). */
  private static final double SLACK = 2e-10;

  private static final BigDecimal EPS_SCALE = BigDecimal.TEN.pow(12);

  /** 2^61 units: the smallest saturated epsilon. */
  private static final BigDecimal SATURATION = new BigDecimal(1L << 61).movePointLeft(12);

  private static final MathContext MC = new MathContext(40);

  static Orders integerOrders(int from, int to) {
    return Orders.of(IntStream.rangeClosed(from, to).asDoubleStream().toArray());
  }

  /**
   * One step of the Poisson-subsampled Gaussian at integer order a, as an exact-ish series: A =
   * sum_k C(a,k) (1-q)^(a-k) q^k exp((k^2-k)/(2 sigma^2)). The binomial weights sum to one, so A -
   * 1 = sum_{k>=2} C(a,k) (1-q)^(a-k) q^k expm1((k^2-k)/(2 sigma^2)), a sum of non-negative terms,
   * accumulated here in 40-digit BigDecimal. Valid while the exponents stay below ~709.
   */
  static double referenceSubsampledStep(double q, double sigma, int a) {
    BigDecimal bq = new BigDecimal(q);
    BigDecimal b1q = BigDecimal.ONE.subtract(bq);
    BigDecimal s = BigDecimal.ZERO;
    BigInteger binom = BigInteger.ONE;
    for (int k = 1; k <= a; k++) {
      binom = binom.multiply(BigInteger.valueOf(a - k + 1)).divide(BigInteger.valueOf(k));
      if (k < 2) {
        continue;
      }
      double c = ((double) k * k - k) / (2 * sigma * sigma);
      double em1 = Math.expm1(c);
      if (!Double.isFinite(em1)) {
        throw new IllegalArgumentException("reference out of range: exponent " + c);
      }
      BigDecimal term =
          new BigDecimal(binom)
              .multiply(b1q.pow(a - k, MC), MC)
              .multiply(bq.pow(k, MC), MC)
              .multiply(new BigDecimal(em1), MC);
      s = s.add(term, MC);
    }
    return Math.log1p(s.doubleValue()) / (a - 1);
  }

  /** Lower and upper bounds on the units of a demand whose exact value is {@code exact}. */
  private static void assertUnitsJustAbove(Budget b, int i, BigDecimal exact) {
    BigDecimal scaled = exact.multiply(EPS_SCALE);
    long lower = scaled.setScale(0, RoundingMode.CEILING).longValueExact();
    // margin: 10^-10 relative plus one unit, then one more unit of rounding (with slack)
    long upper = lower + scaled.multiply(BigDecimal.valueOf(SLACK)).longValue() + 3;
    assertThat(b.units(i))
        .as("%s at %s, exact %s", b.dimensionName(i), b, exact.round(new MathContext(17)))
        .isBetween(lower, upper);
  }

  private static void assertUnitsJustAboveOrSaturated(Budget b, int i, BigDecimal exact) {
    if (b.isSaturated(i)) {
      BigDecimal withMargin =
          exact.multiply(BigDecimal.valueOf(1 + SLACK)).add(BigDecimal.valueOf(2 * UNIT));
      assertThat(withMargin).as("saturated only at the bound").isGreaterThanOrEqualTo(SATURATION);
    } else {
      assertUnitsJustAbove(b, i, exact);
    }
  }

  // ---------------------------------------------------------------- Opacus check value

  @Test
  void subsampledGaussianMatchesTheOpacusCheckValue() {
    Orders orders = integerOrders(2, 32);
    Budget curve =
        Mechanisms.subsampledGaussian(1e-5, 1.0, 10, orders)
            .plus(Mechanisms.subsampledGaussian(1e-4, 3.0, 4, orders));
    Conversion.EpsilonAtOrder result = Conversion.TIGHT.toEpsilon(curve, 1e-5);
    assertThat(result.epsilon()).isCloseTo(0.336, within(0.0005));
    assertThat(result.order()).isEqualTo(23);

    // the same number from the independent series and the tight conversion written out here
    double best = Double.POSITIVE_INFINITY;
    for (int a = 2; a <= 32; a++) {
      double rdp =
          10 * referenceSubsampledStep(1e-5, 1.0, a) + 4 * referenceSubsampledStep(1e-4, 3.0, a);
      best = Math.min(best, ConversionTest.tightEpsilon(rdp, a, 1e-5));
    }
    assertThat(best).isCloseTo(0.336344, within(1e-6));
    assertThat(result.epsilon()).isGreaterThanOrEqualTo(best).isCloseTo(best, within(1e-9));
  }

  // ---------------------------------------------------------------- Gaussian

  @ParameterizedTest(name = "sigma {0}")
  @CsvSource({"1", "0.5", "1.1", "3", "10", "0.1", "1000", "0.7071067811865476"})
  void gaussianIsOrderOverTwoSigmaSquared(double sigma) {
    Orders orders = Orders.of(1.5, 1.75, 2, 2.5, 3, 8, 64, 256, 20480);
    Budget curve = Mechanisms.gaussian(sigma, orders);
    BigDecimal twoSigma2 = new BigDecimal(sigma).pow(2).multiply(BigDecimal.valueOf(2));
    for (int i = 0; i < orders.size(); i++) {
      BigDecimal exact = new BigDecimal(orders.alpha(i)).divide(twoSigma2, MC);
      assertUnitsJustAboveOrSaturated(curve, i, exact);
    }
  }

  // ---------------------------------------------------------------- Laplace

  /** Mironov 2017, Proposition 6, in its other form. */
  static double laplaceOtherForm(double b, double a) {
    return Math.log(
            a / (2 * a - 1) * Math.exp((a - 1) / b) + (a - 1) / (2 * a - 1) * Math.exp(-a / b))
        / (a - 1);
  }

  @ParameterizedTest(name = "scale {0}")
  @CsvSource({"0.1", "0.5", "1", "2", "10", "100"})
  void laplaceEqualsMironovsOtherClosedForm(double scale) {
    Orders orders = Orders.of(1.01, 1.5, 1.75, 2, 2.5, 3, 8, 32, 64);
    Budget curve = Mechanisms.laplace(scale, orders);
    for (int i = 0; i < orders.size(); i++) {
      double ref = laplaceOtherForm(scale, orders.alpha(i));
      assertThat(ref).as("reference").isFinite().isPositive();
      assertThat(curve.epsilonAt(i))
          .as("order %s", orders.alpha(i))
          .isGreaterThanOrEqualTo(ref)
          .isLessThanOrEqualTo(ref * (1 + 1e-9) + 4 * UNIT);
      // never more than the pure-DP bound 1/b (up to the margin)
      assertThat(curve.epsilonAt(i)).isLessThanOrEqualTo(1 / scale * (1 + SLACK) + 2 * UNIT);
    }
  }

  @ParameterizedTest(name = "order {0}, scale {1}")
  @CsvSource({"20480, 0.01", "20480, 1e-4", "1e6, 0.001", "1e9, 1", "64, 1e-6", "1.0000001, 0.01"})
  void laplaceStaysFiniteAtHugeOrdersAndSmallScales(double order, double scale) {
    Budget curve = Mechanisms.laplace(scale, Orders.of(order));
    double e0 = 1 / scale;
    assertThat(curve.isSaturated(0)).isFalse();
    // exp((1-2a)/b) underflows to 0 here, so the curve is e0 + ln(a / (2a - 1)) / (a - 1)
    double expected = e0 + Math.log(order / (2 * order - 1)) / (order - 1);
    assertThat(curve.epsilonAt(0))
        .isGreaterThanOrEqualTo(expected)
        .isCloseTo(expected, within(1e-9 * e0))
        .isLessThanOrEqualTo(e0 * (1 + SLACK) + 2 * UNIT);
  }

  // ---------------------------------------------------------------- subsampled Gaussian

  @ParameterizedTest(name = "sigma {0}, {1} steps")
  @CsvSource({"1, 1", "0.5, 10", "3, 1000", "0.8, 1000000"})
  void subsampledGaussianWithFullSamplingIsTheGaussianTimesSteps(double sigma, long steps) {
    Orders orders = Orders.of(1.5, 2, 3, 8, 32, 64);
    Budget sub = Mechanisms.subsampledGaussian(1, sigma, steps, orders);
    BigDecimal twoSigma2 = new BigDecimal(sigma).pow(2).multiply(BigDecimal.valueOf(2));
    for (int i = 0; i < orders.size(); i++) {
      double a = Math.ceil(orders.alpha(i));
      BigDecimal exact =
          new BigDecimal(a).multiply(BigDecimal.valueOf(steps)).divide(twoSigma2, MC);
      assertUnitsJustAboveOrSaturated(sub, i, exact);
      if (sub.isSaturated(i)) {
        continue;
      }
      double gauss = Mechanisms.gaussian(sigma, Orders.of(a)).epsilonAt(0); // ceil(1.5) = 2
      assertThat(sub.epsilonAt(i)).isCloseTo(steps * gauss, within(1e-9 * steps * gauss));
    }
  }

  @ParameterizedTest(name = "sigma {0}")
  @CsvSource({"0.5", "1", "4"})
  void subsampledGaussianWithNearlyFullSamplingIsNearlyTheGaussian(double sigma) {
    Orders orders = integerOrders(2, 16);
    Budget sub = Mechanisms.subsampledGaussian(Math.nextDown(1.0), sigma, 1, orders);
    for (int i = 0; i < orders.size(); i++) {
      double gauss = orders.alpha(i) / (2 * sigma * sigma);
      assertThat(sub.epsilonAt(i)).isCloseTo(gauss, within(1e-9 * gauss));
    }
  }

  /**
   * A demand must never be below the true curve. With many steps, an absolute rounding error of the
   * per-step value is multiplied by the step count; the relative margin must still cover it.
   */
  @ParameterizedTest(name = "q {0}, sigma {1}, order {2}, {3} steps")
  @CsvSource({
    "1e-5, 1, 2, 1000000",
    "1e-5, 1, 3, 1000000",
    "1e-4, 3, 5, 1000000",
    "1e-6, 1, 4, 1000000",
    "2e-5, 2, 4, 1000000",
    "1e-3, 1, 2, 1000000",
    "0.01, 1, 8, 100000",
    "0.5, 2, 16, 1000",
    "1e-5, 1, 23, 10"
  })
  void subsampledGaussianIsNeverBelowTheExactSeries(double q, double sigma, int a, long steps) {
    Budget curve = Mechanisms.subsampledGaussian(q, sigma, steps, Orders.of(a));
    double exact = steps * referenceSubsampledStep(q, sigma, a);
    assertThat(curve.epsilonAt(0))
        .isGreaterThanOrEqualTo(exact)
        .isLessThanOrEqualTo(exact * (1 + SLACK) + 4 * UNIT);
  }

  static final Gen<Double> SAMPLING_RATES =
      RandomInputs.oneOf(RandomInputs.logUniform(1e-6, 1), RandomInputs.values(1.0, 0.5, 1e-6))
          .withEdges(List.of(1e-5, 1e-3, 0.01, 0.1, Math.nextDown(1.0)));

  /** Exponents (a^2 - a) / (2 sigma^2) stay below 709 for a <= 32, as the reference needs. */
  static final Gen<Double> NOISE_MULTIPLIERS =
      RandomInputs.logUniform(0.9, 100).withEdges(List.of(1.0, 1.1, 2.0, 3.0, 10.0));

  @Test
  void subsampledGaussianIsNeverBelowTheExactSeriesAndClose() {
    RandomInputs.forAll(
        31,
        300,
        SAMPLING_RATES,
        NOISE_MULTIPLIERS,
        RandomInputs.ints(2, 32),
        RandomInputs.longs(1, 1_000_000),
        this::subsampledGaussianIsNeverBelowTheExactSeriesAndClose);
  }

  void subsampledGaussianIsNeverBelowTheExactSeriesAndClose(
      double q, double sigma, int a, long steps) {
    Budget curve = Mechanisms.subsampledGaussian(q, sigma, steps, Orders.of(a));
    double exact = steps * referenceSubsampledStep(q, sigma, a);
    if (curve.isSaturated(0)) {
      assertThat(exact * (1 + SLACK) + 2 * UNIT).isGreaterThanOrEqualTo(SATURATION.doubleValue());
      return;
    }
    assertThat(curve.epsilonAt(0))
        .isGreaterThanOrEqualTo(exact)
        .isLessThanOrEqualTo(exact * (1 + SLACK) + 4 * UNIT);
  }

  static final Gen<Double> ANY_SAMPLING_RATES =
      RandomInputs.oneOf(
              RandomInputs.logUniform(1e-300, 1),
              RandomInputs.values(1.0, Math.nextDown(1.0), Double.MIN_VALUE, Double.MIN_NORMAL))
          .withEdges(List.of(1e-6, 0.01, 0.5));

  static final Gen<Double> ANY_NOISE_MULTIPLIERS =
      RandomInputs.logUniform(0.01, 1000).withEdges(List.of(0.1, 0.5, 1.0, 10.0));

  @Test
  void largeOrdersAndManyStepsGiveFiniteOrSaturatedValues() {
    RandomInputs.forAll(
        32,
        100,
        ANY_SAMPLING_RATES,
        ANY_NOISE_MULTIPLIERS,
        RandomInputs.longs(1, 1_000_000),
        this::largeOrdersAndManyStepsGiveFiniteOrSaturatedValues);
  }

  void largeOrdersAndManyStepsGiveFiniteOrSaturatedValues(double q, double sigma, long steps) {
    Orders orders = integerOrders(2, 256);
    Budget[] holder = new Budget[1];
    assertThatCode(() -> holder[0] = Mechanisms.subsampledGaussian(q, sigma, steps, orders))
        .doesNotThrowAnyException();
    Budget curve = holder[0];
    for (int i = 0; i < orders.size(); i++) {
      assertThat(curve.units(i)).isPositive();
      if (!curve.isSaturated(i)) {
        assertThat(curve.epsilonAt(i)).isFinite().isLessThan(SATURATION.doubleValue());
      }
    }
  }

  @ParameterizedTest(name = "q {0}, sigma {1}, {2} steps")
  @CsvSource({
    "1e-300, 1, 1000000",
    "4.9e-324, 0.1, 1000000",
    "0.9999999999999999, 0.1, 1000000",
    "0.5, 0.001, 1",
    "0.001, 1000, 1000000",
    "1, 0.001, 1000000",
    "2.2250738585072014e-308, 0.01, 1000000",
    "0.01, 1e-160, 1", // 2 sigma^2 underflows: infinite, saturated
    "0.5, 1e-200, 1000000",
    "0.01, 1e200, 1" // 2 sigma^2 overflows: no privacy loss, one unit of margin
  })
  void extremeParametersGiveFiniteOrSaturatedValues(double q, double sigma, long steps) {
    Orders orders = Orders.of(2, 3, 64, 128, 256);
    Budget curve = Mechanisms.subsampledGaussian(q, sigma, steps, orders);
    for (int i = 0; i < orders.size(); i++) {
      assertThat(curve.units(i)).isPositive();
    }
    for (int i = 1; i < orders.size(); i++) {
      assertThat(curve.units(i)).isGreaterThanOrEqualTo(curve.units(i - 1));
    }
  }

  @Test
  void noiseSoSmallOrLargeThatItOverflowsGivesSaturatedOrZeroCurvesLikeTheGaussian() {
    Orders orders = Orders.of(2, 64);
    for (double q : new double[] {1e-6, 0.01, 0.5, 1}) {
      Budget tiny = Mechanisms.subsampledGaussian(q, 1e-160, 1, orders);
      Budget huge = Mechanisms.subsampledGaussian(q, 1e200, 1, orders);
      for (int i = 0; i < 2; i++) {
        assertThat(tiny.isSaturated(i)).as("q %s", q).isTrue();
        assertThat(huge.units(i)).as("q %s", q).isEqualTo(1); // only the one-unit margin
      }
    }
    assertThat(Mechanisms.gaussian(1e-160, orders).isSaturated(0)).isTrue();
    assertThat(Mechanisms.gaussian(1e200, orders).units(0)).isEqualTo(1);
  }

  static final Gen<Double> MONOTONE_RATES =
      RandomInputs.logUniform(1e-4, 1).withEdges(List.of(1e-3, 0.01, 0.1, 0.5));

  static final Gen<Double> MONOTONE_SIGMAS =
      RandomInputs.logUniform(0.5, 20).withEdges(List.of(0.7, 1.0, 2.0, 10.0));

  @Test
  void subsampledGaussianIsNonDecreasingInTheOrder() {
    RandomInputs.forAll(
        33,
        200,
        MONOTONE_RATES,
        MONOTONE_SIGMAS,
        RandomInputs.longs(1, 1000),
        this::subsampledGaussianIsNonDecreasingInTheOrder);
  }

  void subsampledGaussianIsNonDecreasingInTheOrder(double q, double sigma, long steps) {
    Orders orders = integerOrders(2, 64);
    Budget curve = Mechanisms.subsampledGaussian(q, sigma, steps, orders);
    for (int i = 1; i < orders.size(); i++) {
      assertThat(curve.units(i)).as("order %d", i + 2).isGreaterThanOrEqualTo(curve.units(i - 1));
    }
  }

  @ParameterizedTest(name = "order {0} gets the value at {1}")
  @CsvSource({"1.5, 2", "1.0001, 2", "2.5, 3", "7.01, 8", "31.999, 32", "3, 3"})
  void fractionalOrderGetsTheValueAtItsCeiling(double order, int ceiling) {
    for (double[] qs : new double[][] {{0.01, 1.1, 100}, {0.3, 0.7, 3}, {1, 2, 5}}) {
      long steps = (long) qs[2];
      Budget frac = Mechanisms.subsampledGaussian(qs[0], qs[1], steps, Orders.of(order));
      Budget whole = Mechanisms.subsampledGaussian(qs[0], qs[1], steps, Orders.of(ceiling));
      assertThat(frac.units(0)).isEqualTo(whole.units(0));
    }
  }

  // ---------------------------------------------------------------- validation

  @ParameterizedTest(name = "sigma {0}")
  @CsvSource({"0, 0", "-1.5, -1.5", "NaN, NaN", "Infinity, Infinity", "-Infinity, -Infinity"})
  void rejectsNonPositiveOrNonFiniteNoiseNamingTheValue(double sigma, String shown) {
    assertThatThrownBy(() -> Mechanisms.subsampledGaussian(0.1, sigma, 1, Orders.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("noiseMultiplier must be a finite number > 0, got " + shown);
    assertThatThrownBy(() -> Mechanisms.gaussian(sigma, Orders.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sigma must be a finite number > 0, got " + shown);
    assertThatThrownBy(() -> Mechanisms.laplace(sigma, Orders.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scale must be a finite number > 0, got " + shown);
  }

  @ParameterizedTest(name = "q {0}")
  @CsvSource({"0, 0", "-0.1, -0.1", "1.5, 1.5", "NaN, NaN"})
  void rejectsSamplingRateOutsideZeroToOneNamingTheValue(double q, String shown) {
    assertThatThrownBy(() -> Mechanisms.subsampledGaussian(q, 1, 1, Orders.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("samplingRate must be in (0, 1], got " + shown);
  }

  @ParameterizedTest(name = "steps {0}")
  @CsvSource({"0", "-3", "-9223372036854775808"})
  void rejectsFewerThanOneStepNamingTheValue(long steps) {
    assertThatThrownBy(() -> Mechanisms.subsampledGaussian(0.1, 1, steps, Orders.DEFAULT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("steps must be >= 1, got " + steps);
  }

  @Test
  void rejectsOrdersTooLargeForTheSeries() {
    assertThatThrownBy(() -> Mechanisms.subsampledGaussian(0.1, 1, 1, Orders.of(2, 2e9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("order 2000000000 is too large for the subsampled Gaussian (at most 100000)");
  }
}
