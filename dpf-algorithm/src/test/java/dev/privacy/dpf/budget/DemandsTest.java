package dev.privacy.dpf.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.privacy.dpf.budget.Budget.Kind;
import dev.privacy.dpf.budget.Demands.IncompatibleDemandException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** What a claim asks for, in the shape of the block it is placed on. */
class DemandsTest {

  private static final BigDecimal EPS_SCALE = BigDecimal.TEN.pow(12);
  private static final BigDecimal DELTA_SCALE = BigDecimal.TEN.pow(18);

  @ParameterizedTest(name = "epsilon {0}")
  @CsvSource({"0", "0.01", "0.1", "0.5", "1", "1.1", "2", "3.7", "10", "100"})
  void pureDpPairOnRenyiBlockBecomesMinOfEpsilonAndAlphaEpsilonSquaredOverTwo(double eps) {
    Budget pair = Budget.epsDelta(eps, 0);
    Budget curve = Demands.forBlock(pair, Kind.RENYI, Orders.DEFAULT, null, Conversion.TIGHT);
    assertThat(curve.kind()).isEqualTo(Kind.RENYI);
    assertThat(curve.orders()).isEqualTo(Orders.DEFAULT);
    assertThat(curve).isEqualTo(Demands.pureDpCurve(pair.epsilon(), Orders.DEFAULT));
    // exact: the pair's epsilon is a whole number of units, the orders are exact doubles
    BigDecimal e = BigDecimal.valueOf(pair.units(0)).movePointLeft(12);
    for (int i = 0; i < Orders.DEFAULT.size(); i++) {
      BigDecimal a = new BigDecimal(Orders.DEFAULT.alpha(i));
      BigDecimal zcdp = a.multiply(e).multiply(e).divide(BigDecimal.valueOf(2));
      BigDecimal exact = e.min(zcdp);
      BigDecimal scaled = exact.multiply(EPS_SCALE);
      long lower = scaled.setScale(0, RoundingMode.CEILING).longValueExact();
      if (exact.compareTo(e) == 0) {
        // min(epsilon, ...) picked epsilon: exactly the pair's units, no margin needed
        assertThat(curve.units(i)).as("order %s", Orders.DEFAULT.alpha(i)).isEqualTo(lower);
        continue;
      }
      // rounded up with a margin of (value * 1e-12 + 1e-12), i.e. value + 1 units, plus rounding
      long upper = lower + exact.setScale(0, RoundingMode.CEILING).longValueExact() + 2;
      assertThat(curve.units(i)).as("order %s", Orders.DEFAULT.alpha(i)).isBetween(lower, upper);
    }
  }

  @Test
  void pureDpCurvePicksTheZcdpBoundAtLowOrdersAndEpsilonAtHighOnes() {
    Budget curve = Demands.pureDpCurve(1, Orders.of(1.5, 2, 3));
    assertThat(curve.epsilonAt(0)).isCloseTo(0.75, within(1e-11)); // 1.5 / 2 < 1
    assertThat(curve.epsilonAt(1)).isCloseTo(1, within(1e-11)); // 2 / 2 = 1
    assertThat(curve.epsilonAt(2)).isCloseTo(1, within(1e-11)); // 3 / 2 > 1
  }

  @ParameterizedTest(name = "delta {0}")
  @CsvSource({"1e-6, 1e-06", "0.5, 0.5", "0x1p-60, 1e-18", "3e-7, 3e-07"})
  void approximateDpPairOnRenyiBlockIsRefusedAskingForACurveOrAMechanism(
      double delta, String shown) {
    Budget pair = Budget.epsDelta(1, delta);
    assertThatThrownBy(
            () -> Demands.forBlock(pair, Kind.RENYI, Orders.DEFAULT, 1e-5, Conversion.TIGHT))
        .isInstanceOf(IncompatibleDemandException.class)
        .hasMessageContaining("(delta=" + shown + ")")
        .hasMessageContaining("Renyi accounting")
        .hasMessageEndingWith("give an rdp curve or a mechanism");
  }

  @Test
  void curveOnBasicBlockWithoutConversionDeltaIsRefused() {
    Budget curve = Budget.curve(Orders.DEFAULT, new double[12]);
    assertThatThrownBy(() -> Demands.forBlock(curve, Kind.BASIC, null, null, Conversion.TIGHT))
        .isInstanceOf(IncompatibleDemandException.class)
        .hasMessageContaining("basic accounting")
        .hasMessageContaining("demand.delta");
  }

  @ParameterizedTest(name = "conversion delta {0}")
  @CsvSource({"0, 0", "1, 1", "-0.5, -0.5", "NaN, NaN", "1.5, 1.5"})
  void conversionDeltaOutsideTheOpenUnitIntervalIsRefusedNamingIt(double delta, String shown) {
    Budget curve = Budget.curve(Orders.DEFAULT, new double[12]);
    assertThatThrownBy(() -> Demands.forBlock(curve, Kind.BASIC, null, delta, Conversion.TIGHT))
        .isInstanceOf(IncompatibleDemandException.class)
        .hasMessage("demand.delta must be in (0, 1), got " + shown);
  }

  @ParameterizedTest(name = "{0} at delta {1} ({2})")
  @CsvSource({
    "0.01 0.02 0.03, 1e-5, TIGHT",
    "0.01 0.02 0.03, 1e-5, CLASSIC",
    "1 1 1, 1e-9, TIGHT",
    "0.5 1 4, 1e-3, TIGHT",
    "0 0 0, 1e-6, TIGHT",
    "3e6 2 0.5, 1e-6, TIGHT",
    "3e6 2 0.5, 1e-6, CLASSIC"
  })
  void curveOnBasicBlockBecomesItsEpsilonAtTheConversionDeltaRoundedUp(
      String values, double delta, Conversion conversion) {
    Orders orders = Orders.of(2, 8, 64);
    double[] eps =
        java.util.stream.Stream.of(values.split(" ")).mapToDouble(Double::parseDouble).toArray();
    Budget curve = Budget.curve(orders, eps);
    Budget pair = Demands.forBlock(curve, Kind.BASIC, null, delta, conversion);
    assertThat(pair.kind()).isEqualTo(Kind.BASIC);

    double expected = Double.POSITIVE_INFINITY;
    for (int i = 0; i < orders.size(); i++) {
      if (curve.isSaturated(i)) {
        continue;
      }
      double rdp = curve.epsilonAt(i);
      double a = orders.alpha(i);
      expected =
          Math.min(
              expected,
              conversion == Conversion.TIGHT
                  ? ConversionTest.tightEpsilon(rdp, a, delta)
                  : ConversionTest.classicEpsilon(rdp, a, delta));
    }
    assertThat(pair.epsilon()).isGreaterThanOrEqualTo(expected).isCloseTo(expected, within(1e-9));
    assertThat(pair.units(1))
        .isEqualTo(
            new BigDecimal(Double.toString(delta))
                .multiply(DELTA_SCALE)
                .setScale(0, RoundingMode.CEILING)
                .longValueExact());
    assertThat(pair.delta()).isGreaterThanOrEqualTo(delta);
  }

  @Test
  void tightConversionGivesASmallerBasicDemandThanClassic() {
    Budget curve = Budget.curve(Orders.DEFAULT, ConversionTest.filledWith(12, 0.1));
    Budget tight = Demands.forBlock(curve, Kind.BASIC, null, 1e-6, Conversion.TIGHT);
    Budget classic = Demands.forBlock(curve, Kind.BASIC, null, 1e-6, Conversion.CLASSIC);
    assertThat(tight.units(0)).isLessThan(classic.units(0));
    assertThat(tight.units(1)).isEqualTo(classic.units(1));
  }

  @Test
  void curveWhoseEveryOrderIsSaturatedIsRefusedOnABasicBlock() {
    Budget curve = Budget.curve(Orders.of(2, 3), 3e6, 3e6);
    assertThatThrownBy(() -> Demands.forBlock(curve, Kind.BASIC, null, 1e-5, Conversion.TIGHT))
        .isInstanceOf(IncompatibleDemandException.class)
        .hasMessageContaining("no finite epsilon");
  }

  @Test
  void curveOverOtherOrdersIsProjectedUpwardOntoTheBlocksOrders() {
    // values at 2 and 4 only: order 1.5..2 take the value at 2, 2.5..4 the value at 4,
    // and orders above 4 have no bound (saturated, never fit)
    Budget curve = Budget.curve(Orders.of(2, 4), 0.1, 0.3);
    Budget p = Demands.forBlock(curve, Kind.RENYI, Orders.DEFAULT, null, Conversion.TIGHT);
    assertThat(p.orders()).isEqualTo(Orders.DEFAULT);
    double[] expected = {0.1, 0.1, 0.1, 0.3, 0.3, 0.3};
    for (int i = 0; i < expected.length; i++) {
      assertThat(p.epsilonAt(i)).as("order %s", Orders.DEFAULT.alpha(i)).isEqualTo(expected[i]);
    }
    for (int i = expected.length; i < Orders.DEFAULT.size(); i++) {
      assertThat(p.isSaturated(i)).as("order %s", Orders.DEFAULT.alpha(i)).isTrue();
    }
  }

  @Test
  void capAtKeepsWhatFitsAndCapsWhatNeverCouldAtOneUnitAboveCapacity() {
    BlockCapacity cap = BlockCapacity.renyi(10, 1e-6, Orders.of(32, 64), Conversion.TIGHT);
    Budget demand = Budget.curve(Orders.of(32, 64), 0.01, 1e7);
    Budget capped = Demands.capAt(demand, cap.capacity());
    assertThat(capped.units(0)).isEqualTo(demand.units(0));
    assertThat(capped.units(1)).isEqualTo(cap.capacity().units(1) + 1);
    assertThat(capped.isSaturated(1)).isFalse();
    Budget small = Budget.curve(Orders.of(32, 64), 0.01, 0.02);
    assertThat(Demands.capAt(small, cap.capacity())).isSameAs(small);
  }

  @Test
  void curveWhollyBelowTheBlocksOrdersIsRefused() {
    Budget curve = Budget.curve(Orders.of(1.1, 1.2), 0.1, 0.2);
    assertThatThrownBy(
            () -> Demands.forBlock(curve, Kind.RENYI, Orders.DEFAULT, null, Conversion.TIGHT))
        .isInstanceOf(IncompatibleDemandException.class)
        .hasMessageContaining("[1.1, 1.2]")
        .hasMessageContaining("order 1.5 or above");
  }

  @ParameterizedTest
  @EnumSource(Conversion.class)
  void demandAlreadyInTheBlocksShapeIsTakenAsItIs(Conversion conversion) {
    Budget pair = Budget.epsDelta(0.3, 1e-7);
    assertThat(Demands.forBlock(pair, Kind.BASIC, null, null, conversion)).isSameAs(pair);
    assertThat(Demands.forBlock(pair, Kind.BASIC, null, 1e-5, conversion)).isSameAs(pair);
    Budget curve = Budget.curve(Orders.of(2, 4), 1, 1);
    assertThat(Demands.forBlock(curve, Kind.RENYI, Orders.of(2, 4), null, conversion))
        .isSameAs(curve);
  }
}
