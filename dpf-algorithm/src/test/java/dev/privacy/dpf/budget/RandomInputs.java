package dev.privacy.dpf.budget;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.StringJoiner;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Seeded, edge-biased random inputs for the property tests of this package, written with {@link
 * Random} rather than a property-testing library (see {@code RandomSchedulingTest} for why).
 *
 * <p>{@link #forAll} runs a property a fixed number of times on inputs drawn from {@code new
 * Random(seed)}, so every run sees the same inputs. The first fifth of the tries are edge cases
 * combined across the parameters: every combination if there are few enough, otherwise every edge
 * case of every parameter at least once and random combinations for the rest. In the remaining
 * tries each parameter is an edge case one time in {@value #EDGE_ONE_IN} and a random value
 * otherwise. A failure names the try, the seed and the input.
 */
final class RandomInputs {

  /** In a random try, a parameter is one of its edge cases once in this many tries. */
  static final int EDGE_ONE_IN = 20;

  /** Tries per edge-case try: one try in five is a combination of edge cases. */
  private static final int TRIES_PER_EDGE_TRY = 5;

  private RandomInputs() {}

  /** The values of one parameter: random values, and the edge cases tried first. */
  interface Gen<T> {
    T random(Random r);

    List<T> edges();

    /** The random values drawn by {@code random}, with the given edge cases. */
    static <T> Gen<T> of(Function<Random, T> random, List<T> edges) {
      List<T> copy = List.copyOf(new LinkedHashSet<>(edges));
      return new Gen<>() {
        @Override
        public T random(Random r) {
          return random.apply(r);
        }

        @Override
        public List<T> edges() {
          return copy;
        }
      };
    }

    /** This generator with more edge cases. */
    default Gen<T> withEdges(List<T> more) {
      List<T> all = new ArrayList<>(edges());
      all.addAll(more);
      return of(this::random, all);
    }

    default <U> Gen<U> map(Function<? super T, ? extends U> f) {
      List<U> mapped = new ArrayList<>();
      for (T e : edges()) {
        mapped.add(f.apply(e));
      }
      return of(r -> f.apply(random(r)), mapped);
    }

    /** Only values {@code keep} accepts (edge cases included); draws again until one is found. */
    default Gen<T> filter(Predicate<? super T> keep) {
      List<T> kept = edges().stream().filter(keep).toList();
      return of(
          r -> {
            for (int i = 0; i < 10_000; i++) {
              T v = random(r);
              if (keep.test(v)) {
                return v;
              }
            }
            throw new IllegalStateException("filter rejected 10000 values in a row");
          },
          kept);
    }
  }

  // ---------------------------------------------------------------- generators

  /**
   * Longs in {@code [min, max]}: uniform, but one time in five among the thousand smallest (small
   * numbers find most bugs); edge cases {@code min, min + 1, max - 1, max}.
   */
  static Gen<Long> longs(long min, long max) {
    return Gen.of(r -> randomLong(r, min, max), rangeEdges(min, max));
  }

  static long randomLong(Random r, long min, long max) {
    if (r.nextInt(5) == 0) {
      return min + r.nextLong(Math.min(max - min, 999) + 1);
    }
    long span = max - min; // negative if the range has more than 2^63 - 1 values
    if (span >= 0 && span < Long.MAX_VALUE) {
      return min + r.nextLong(span + 1);
    }
    while (true) {
      long v = r.nextLong();
      if (v >= min && v <= max) {
        return v;
      }
    }
  }

  private static List<Long> rangeEdges(long min, long max) {
    List<Long> e = new ArrayList<>(List.of(min, max));
    if (max - min >= 2) {
      e.add(1, min + 1);
      e.add(2, max - 1);
    }
    return e;
  }

  /** Ints in {@code [min, max]}, as {@link #longs}. */
  static Gen<Integer> ints(int min, int max) {
    return longs(min, max).map(Long::intValue);
  }

  /**
   * Log-uniform doubles in {@code [lo, hi]}: {@code exp} of a uniform point between {@code ln lo}
   * and {@code ln hi}, the point's fraction having 15 decimals; edge cases {@code lo} and {@code
   * hi}.
   */
  static Gen<Double> logUniform(double lo, double hi) {
    double a = Math.log(lo);
    double b = Math.log(hi);
    return Gen.of(
        r -> {
          double u = r.nextLong(1_000_000_000_000_001L) / 1e15;
          return Math.min(hi, Math.max(lo, Math.exp(a + u * (b - a))));
        },
        List.of(lo, hi));
  }

  /** One of the given values, uniformly; all of them are edge cases. */
  @SafeVarargs
  static <T> Gen<T> values(T... values) {
    List<T> all = List.of(values);
    return Gen.of(r -> all.get(r.nextInt(all.size())), all);
  }

  /** A value of one of the generators, chosen uniformly; the edge cases of all of them. */
  @SafeVarargs
  static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
    List<T> edges = new ArrayList<>();
    for (Gen<? extends T> g : gens) {
      edges.addAll(g.edges());
    }
    return Gen.of(r -> gens[r.nextInt(gens.length)].random(r), edges);
  }

  /**
   * Arrays of {@code size} longs of {@code element}, each element an edge case one time in {@value
   * #EDGE_ONE_IN}; edge cases: every element the same edge case, and the given arrays.
   */
  static Gen<long[]> longArrays(Gen<Long> element, int size, List<long[]> moreEdges) {
    List<long[]> edges = new ArrayList<>();
    for (long e : element.edges()) {
      long[] a = new long[size];
      Arrays.fill(a, e);
      edges.add(a);
    }
    edges.addAll(moreEdges);
    return Gen.of(
        r -> {
          long[] a = new long[size];
          for (int i = 0; i < size; i++) {
            a[i] = draw(element, r);
          }
          return a;
        },
        edges);
  }

  private static <T> T draw(Gen<T> gen, Random r) {
    List<T> edges = gen.edges();
    if (!edges.isEmpty() && r.nextInt(EDGE_ONE_IN) == 0) {
      return edges.get(r.nextInt(edges.size()));
    }
    return gen.random(r);
  }

  // ---------------------------------------------------------------- running a property

  interface Property3<A, B, C> {
    void check(A a, B b, C c);
  }

  interface Property4<A, B, C, D> {
    void check(A a, B b, C c, D d);
  }

  static <A> void forAll(long seed, int tries, Gen<A> a, Consumer<A> property) {
    run(seed, tries, List.of(a), p -> property.accept(cast(p[0])));
  }

  static <A, B> void forAll(long seed, int tries, Gen<A> a, Gen<B> b, BiConsumer<A, B> property) {
    run(seed, tries, List.of(a, b), p -> property.accept(cast(p[0]), cast(p[1])));
  }

  static <A, B, C> void forAll(
      long seed, int tries, Gen<A> a, Gen<B> b, Gen<C> c, Property3<A, B, C> property) {
    run(seed, tries, List.of(a, b, c), p -> property.check(cast(p[0]), cast(p[1]), cast(p[2])));
  }

  static <A, B, C, D> void forAll(
      long seed,
      int tries,
      Gen<A> a,
      Gen<B> b,
      Gen<C> c,
      Gen<D> d,
      Property4<A, B, C, D> property) {
    run(
        seed,
        tries,
        List.of(a, b, c, d),
        p -> property.check(cast(p[0]), cast(p[1]), cast(p[2]), cast(p[3])));
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object o) {
    return (T) o;
  }

  private static void run(long seed, int tries, List<Gen<?>> params, Consumer<Object[]> property) {
    Random r = new Random(seed);
    int n = params.size();
    long combinations = 1;
    int longestEdgeList = 0;
    for (Gen<?> g : params) {
      combinations = Math.min(combinations * Math.max(1, g.edges().size()), Integer.MAX_VALUE);
      longestEdgeList = Math.max(longestEdgeList, g.edges().size());
    }
    int edgeTries = tries / TRIES_PER_EDGE_TRY;
    boolean allCombinations = combinations <= edgeTries;
    if (allCombinations) {
      edgeTries = (int) combinations;
    } else {
      edgeTries = Math.min(tries, Math.max(edgeTries, longestEdgeList));
    }
    for (int t = 0; t < tries; t++) {
      Object[] input = new Object[n];
      int index = t; // mixed-radix index of the combination of edge cases
      for (int i = 0; i < n; i++) {
        List<?> edges = params.get(i).edges();
        if (t >= edgeTries || edges.isEmpty()) {
          input[i] = draw(params.get(i), r);
        } else if (allCombinations) {
          input[i] = edges.get(index % edges.size());
          index /= edges.size();
        } else if (t < longestEdgeList) {
          input[i] = edges.get(t % edges.size());
        } else {
          input[i] = edges.get(r.nextInt(edges.size()));
        }
      }
      try {
        property.accept(input);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError(
            String.format(
                "property failed at try %d of %d (seed %d) with input %s:%n%s",
                t + 1, tries, seed, describe(input), e.getMessage()),
            e);
      }
    }
  }

  private static String describe(Object[] input) {
    StringJoiner j = new StringJoiner(", ", "(", ")");
    for (Object o : input) {
      j.add(o instanceof long[] a ? Arrays.toString(a) : String.valueOf(o));
    }
    return j.toString();
  }
}
