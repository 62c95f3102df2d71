package ft.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A glob pattern over '/'-separated relative paths, matched in O(len(path) × len(pattern))
 * time without backtracking: the pattern is compiled once into a small NFA that is simulated
 * with a set of live states (Thompson's construction).
 *
 * <p>Syntax (case-sensitive, by code point, so a surrogate pair is one character):
 * <ul>
 *   <li>{@code ?} one character except '/';
 *   <li>{@code *} any run of characters except '/', possibly empty; a run of stars is one star;
 *   <li>{@code **} as a whole segment ({@code **}{@code /x}, {@code a/**}{@code /b},
 *       {@code a/**}, or the whole pattern {@code **}) matches zero or more whole segments:
 *       {@code a/**}{@code /b} matches {@code a/b} and {@code a/x/y/b}; a trailing {@code /**}
 *       matches everything below the directory but not the directory itself ({@code a/**}
 *       matches {@code a/x}, not {@code a}). Any other run of stars (e.g. {@code a**b},
 *       {@code ***}) is a plain {@code *};
 *   <li>{@code [abc]}, {@code [a-z]}, {@code [!abc]} or {@code [^abc]} one character of (not
 *       of) the class, never '/'; a {@code ]} first in the class is literal, {@code \} escapes
 *       inside a class, a {@code -} first or last is literal; a reversed range ({@code [z-a]})
 *       is invalid; an unterminated {@code [} is a literal '[';
 *   <li>{@code \} escapes the next character ({@code \*} is a literal star); a trailing lone
 *       {@code \} is invalid;
 *   <li>anything else matches itself. Leading dots get no special treatment.
 * </ul>
 * A pattern must be non-empty, at most {@value #MAX_PATTERN_LENGTH} chars long, and must not
 * start with '/' (escaped or not).
 */
public final class Glob {
    public static final int MAX_PATTERN_LENGTH = 4096;

    // State kinds. Consuming kinds move to next[s] on a matching character.
    private static final int LITERAL = 0; // the code point arg[s]
    private static final int NOT_SLASH = 1; // any character but '/'
    private static final int CLASS = 2; // classes[arg[s]], never '/'
    private static final int ANY = 3; // any character, '/' included
    private static final int EPSILON = 4; // consumes nothing (also the accepting state)

    private final String pattern;
    private final int[] kind;
    private final int[] arg;
    private final int[] next;
    private final int[] eps1;
    private final int[] eps2;
    private final CharClass[] classes;
    private final int accept;
    private final int[] startSet;
    private final String literalPrefixDirectory;

    private Glob(String pattern, List<Element> elements) {
        this.pattern = pattern;
        Nfa nfa = new Nfa();
        List<CharClass> classList = new ArrayList<>();
        for (Element e : elements) {
            int s = nfa.size();
            switch (e.type) {
                case LIT -> nfa.add(LITERAL, e.codePoint, s + 1, -1, -1);
                case QUESTION -> nfa.add(NOT_SLASH, 0, s + 1, -1, -1);
                case CLS -> {
                    classList.add(e.charClass);
                    nfa.add(CLASS, classList.size() - 1, s + 1, -1, -1);
                }
                case STAR -> nfa.add(NOT_SLASH, 0, s, s + 1, -1);
                case GLOBSTAR_SEGMENTS -> {
                    // (X*/)* : entry s, segment body s+1, separator s+2, exit s+3
                    nfa.add(EPSILON, 0, -1, s + 1, s + 3);
                    nfa.add(NOT_SLASH, 0, s + 1, s + 2, -1);
                    nfa.add(LITERAL, '/', s, -1, -1);
                }
                case GLOBSTAR_REST -> nfa.add(ANY, 0, s, s + 1, -1);
            }
        }
        this.accept = nfa.size();
        nfa.add(EPSILON, 0, -1, -1, -1);
        this.kind = nfa.kind.toArray();
        this.arg = nfa.arg.toArray();
        this.next = nfa.next.toArray();
        this.eps1 = nfa.eps1.toArray();
        this.eps2 = nfa.eps2.toArray();
        this.classes = classList.toArray(new CharClass[0]);
        Sim sim = new Sim();
        sim.addClosure(0);
        this.startSet = java.util.Arrays.copyOf(sim.list, sim.count);
        this.literalPrefixDirectory = prefixOf(elements);
    }

    /**
     * Compiles {@code pattern}.
     *
     * @throws IllegalArgumentException if the pattern is empty, longer than
     *     {@value #MAX_PATTERN_LENGTH} chars, starts with '/', ends in a lone '\', or has a
     *     reversed class range
     */
    public static Glob compile(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("empty glob pattern");
        }
        if (pattern.length() > MAX_PATTERN_LENGTH) {
            throw new IllegalArgumentException("glob pattern longer than " + MAX_PATTERN_LENGTH + " chars");
        }
        List<Element> elements = parse(pattern);
        if (elements.get(0).type == Type.LIT && elements.get(0).codePoint == '/') {
            throw new IllegalArgumentException("glob pattern must be relative: " + pattern);
        }
        return new Glob(pattern, elements);
    }

    /** Whether {@code pattern} contains an unescaped {@code *}, {@code ?} or {@code [}. */
    public static boolean hasWildcards(String pattern) {
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '*' || c == '?' || c == '[') {
                return true;
            }
        }
        return false;
    }

    /** Whether the whole of {@code path} matches. */
    public boolean matches(String path) {
        return run(path).contains(accept);
    }

    /**
     * The longest leading run of whole, wildcard-free segments, each followed by '/' in the
     * pattern, unescaped: {@code "logs/2024"} for {@code logs/2024/*.gz}, {@code ""} for
     * {@code *.csv}. Every matching path lies below this directory.
     */
    public String literalPrefixDirectory() {
        return literalPrefixDirectory;
    }

    /**
     * False only if no path below {@code directory} (relative, no trailing '/'; {@code ""} is
     * the root) can match, so a walk may skip that subtree. Exact for the NFA, so never
     * wrongly false.
     */
    public boolean mayMatchBelow(String directory) {
        if (directory.isEmpty()) {
            return true;
        }
        Sim sim = run(directory);
        if (sim.count > 0) {
            sim.step('/');
        }
        return sim.count > 0;
    }

    /** The NFA's states after reading {@code text} from the start, stopped early once none are left. */
    private Sim run(String text) {
        Sim sim = new Sim();
        sim.load(startSet);
        for (int i = 0; i < text.length() && sim.count > 0; ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            sim.step(c);
        }
        return sim;
    }

    public String pattern() {
        return pattern;
    }

    @Override
    public String toString() {
        return "Glob[" + pattern + "]";
    }

    // ---- simulation ----

    /** A set of live NFA states: a list plus a generation-stamped membership array. */
    private final class Sim {
        int[] list = new int[kind.length];
        int count;
        int[] other = new int[kind.length];
        final int[] mark = new int[kind.length];
        int generation = 1;
        final int[] stack = new int[kind.length];

        void load(int[] states) {
            System.arraycopy(states, 0, list, 0, states.length);
            count = states.length;
            for (int s : states) {
                mark[s] = generation;
            }
        }

        boolean contains(int state) {
            return mark[state] == generation && count > 0;
        }

        void step(int c) {
            int[] from = list;
            int fromCount = count;
            list = other;
            other = from;
            count = 0;
            generation++;
            for (int k = 0; k < fromCount; k++) {
                int s = from[k];
                if (accepts(s, c)) {
                    addClosure(next[s]);
                }
            }
        }

        private boolean accepts(int s, int c) {
            return switch (kind[s]) {
                case LITERAL -> arg[s] == c;
                case NOT_SLASH -> c != '/';
                case CLASS -> c != '/' && classes[arg[s]].contains(c);
                case ANY -> true;
                default -> false;
            };
        }

        void addClosure(int start) {
            int top = 0;
            if (mark[start] == generation) {
                return;
            }
            mark[start] = generation;
            stack[top++] = start;
            while (top > 0) {
                int s = stack[--top];
                list[count++] = s;
                int e = eps1[s];
                if (e >= 0 && mark[e] != generation) {
                    mark[e] = generation;
                    stack[top++] = e;
                }
                e = eps2[s];
                if (e >= 0 && mark[e] != generation) {
                    mark[e] = generation;
                    stack[top++] = e;
                }
            }
        }
    }

    private static final class IntList {
        int[] a = new int[16];
        int n;

        void add(int v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    private static final class Nfa {
        final IntList kind = new IntList();
        final IntList arg = new IntList();
        final IntList next = new IntList();
        final IntList eps1 = new IntList();
        final IntList eps2 = new IntList();

        int size() {
            return kind.n;
        }

        void add(int k, int a, int nx, int e1, int e2) {
            kind.add(k);
            arg.add(a);
            next.add(nx);
            eps1.add(e1);
            eps2.add(e2);
        }
    }

    // ---- parsing ----

    private enum Type {
        LIT,
        QUESTION,
        CLS,
        STAR,
        GLOBSTAR_SEGMENTS,
        GLOBSTAR_REST
    }

    private record Element(Type type, int codePoint, CharClass charClass) {
        static Element lit(int cp) {
            return new Element(Type.LIT, cp, null);
        }

        static Element of(Type t) {
            return new Element(t, 0, null);
        }
    }

    /** Inclusive code point ranges (lo, hi pairs), possibly negated; '/' is excluded by the caller. */
    private record CharClass(int[] ranges, boolean negated) {
        boolean contains(int c) {
            boolean in = false;
            for (int i = 0; i < ranges.length; i += 2) {
                if (c >= ranges[i] && c <= ranges[i + 1]) {
                    in = true;
                    break;
                }
            }
            return in != negated;
        }
    }

    private static List<Element> parse(String p) {
        List<Element> out = new ArrayList<>();
        int n = p.length();
        boolean segmentStart = true; // at the pattern start or just after a '/'
        int i = 0;
        while (i < n) {
            int c = p.codePointAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 >= n) {
                        throw new IllegalArgumentException("glob pattern ends with a lone '\\': " + p);
                    }
                    int e = p.codePointAt(i + 1);
                    out.add(Element.lit(e));
                    segmentStart = e == '/';
                    i += 1 + Character.charCount(e);
                }
                case '?' -> {
                    out.add(Element.of(Type.QUESTION));
                    segmentStart = false;
                    i++;
                }
                case '*' -> {
                    int j = i;
                    while (j < n && p.charAt(j) == '*') {
                        j++;
                    }
                    boolean wholeSegment = segmentStart && j - i == 2 && (j == n || p.charAt(j) == '/');
                    if (wholeSegment && j < n) {
                        out.add(Element.of(Type.GLOBSTAR_SEGMENTS));
                        i = j + 1; // the '/' belongs to the globstar
                        segmentStart = true;
                    } else if (wholeSegment) {
                        out.add(Element.of(Type.GLOBSTAR_REST));
                        i = j;
                        segmentStart = false;
                    } else {
                        out.add(Element.of(Type.STAR));
                        i = j;
                        segmentStart = false;
                    }
                }
                case '[' -> {
                    int end = parseClass(p, i, out);
                    if (end < 0) {
                        out.add(Element.lit('['));
                        i++;
                    } else {
                        i = end;
                    }
                    segmentStart = false;
                }
                default -> {
                    out.add(Element.lit(c));
                    segmentStart = c == '/';
                    i += Character.charCount(c);
                }
            }
        }
        return out;
    }

    /** Parses the class opening at {@code start}; returns the index after ']' or -1 if unterminated. */
    private static int parseClass(String p, int start, List<Element> out) {
        int n = p.length();
        int i = start + 1;
        boolean negated = false;
        if (i < n && (p.charAt(i) == '!' || p.charAt(i) == '^')) {
            negated = true;
            i++;
        }
        IntList ranges = new IntList();
        boolean first = true;
        while (true) {
            if (i >= n) {
                return -1;
            }
            int c = p.codePointAt(i);
            if (c == ']' && !first) {
                out.add(new Element(Type.CLS, 0, new CharClass(ranges.toArray(), negated)));
                return i + 1;
            }
            first = false;
            int[] lo = readClassChar(p, i);
            if (lo == null) {
                return -1;
            }
            i = lo[1];
            int hiValue = lo[0];
            if (i + 1 < n && p.charAt(i) == '-' && p.charAt(i + 1) != ']') {
                int[] hi = readClassChar(p, i + 1);
                if (hi == null) {
                    return -1;
                }
                if (hi[0] < lo[0]) {
                    throw new IllegalArgumentException("reversed range in glob class: " + p);
                }
                hiValue = hi[0];
                i = hi[1];
            }
            ranges.add(lo[0]);
            ranges.add(hiValue);
        }
    }

    /** {code point, index after it}, honouring '\' escapes; null if the pattern ends first. */
    private static int[] readClassChar(String p, int i) {
        int c = p.codePointAt(i);
        if (c == '\\') {
            if (i + 1 >= p.length()) {
                return null;
            }
            int e = p.codePointAt(i + 1);
            return new int[] {e, i + 1 + Character.charCount(e)};
        }
        return new int[] {c, i + Character.charCount(c)};
    }

    private static String prefixOf(List<Element> elements) {
        StringBuilder prefix = new StringBuilder();
        StringBuilder segment = new StringBuilder();
        for (Element e : elements) {
            if (e.type != Type.LIT) {
                break;
            }
            if (e.codePoint == '/') {
                if (!prefix.isEmpty()) {
                    prefix.append('/');
                }
                prefix.append(segment);
                segment.setLength(0);
            } else {
                segment.appendCodePoint(e.codePoint);
            }
        }
        return prefix.toString();
    }
}
