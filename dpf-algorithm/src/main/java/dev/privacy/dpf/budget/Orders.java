package dev.privacy.dpf.budget;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * An ordered set of Rényi orders (alpha values), shared by every curve that is composed with
 * another. Orders are finite, greater than 1 and strictly increasing.
 */
public final class Orders {

  /** The orders used by PrivateKube, DPack and the Alibaba-DP workload. */
  public static final Orders DEFAULT = of(1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 8, 16, 32, 64);

  private final double[] alphas;
  private final int hash;

  private Orders(double[] alphas) {
    this.alphas = alphas;
    this.hash = Arrays.hashCode(alphas);
  }

  /**
   * Builds an order set, rejecting an empty set and any order that is not finite, not above 1, or
   * not above the one before it.
   */
  public static Orders of(double... alphas) {
    if (alphas == null || alphas.length == 0) {
      throw new IllegalArgumentException("orders must not be empty");
    }
    double[] copy = alphas.clone();
    for (int i = 0; i < copy.length; i++) {
      double a = copy[i];
      if (!Double.isFinite(a) || a <= 1) {
        throw new IllegalArgumentException(
            "orders[" + i + "] must be a finite number > 1, got " + a);
      }
      if (i > 0 && a <= copy[i - 1]) {
        throw new IllegalArgumentException(
            "orders must be strictly increasing, got " + a + " after " + copy[i - 1]);
      }
    }
    return new Orders(copy);
  }

  /** The number of orders. */
  public int size() {
    return alphas.length;
  }

  /** The order at index {@code i}. */
  public double alpha(int i) {
    return alphas[i];
  }

  /** A copy of the orders. */
  public double[] toArray() {
    return alphas.clone();
  }

  @Override
  public boolean equals(Object o) {
    return this == o
        || (o instanceof Orders other && hash == other.hash && Arrays.equals(alphas, other.alphas));
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    StringJoiner j = new StringJoiner(", ", "[", "]");
    for (double a : alphas) {
      j.add(Budget.format(a));
    }
    return j.toString();
  }
}
