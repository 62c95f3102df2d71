package ft.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code --json} output: one flat JSON object (strings, numbers, booleans, null) per
 * line. Strict, so that anything else on stdout fails the test that reads it.
 */
final class JsonLines {
    private final String s;
    private int i;

    private JsonLines(String s) {
        this.s = s;
    }

    /** Every non-empty line of {@code text} as an object; a malformed line throws. */
    static List<Map<String, Object>> parse(String text) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                objects.add(parseObject(line));
            }
        }
        return objects;
    }

    static Map<String, Object> parseObject(String line) {
        JsonLines p = new JsonLines(line);
        Map<String, Object> o = p.object();
        p.space();
        if (p.i != line.length()) {
            throw p.bad("trailing characters");
        }
        return o;
    }

    private Map<String, Object> object() {
        Map<String, Object> o = new LinkedHashMap<>();
        expect('{');
        space();
        if (peek() == '}') {
            i++;
            return o;
        }
        while (true) {
            space();
            String key = string();
            space();
            expect(':');
            space();
            if (o.put(key, value()) != null) {
                throw bad("duplicate key " + key);
            }
            space();
            char c = next();
            if (c == '}') {
                return o;
            }
            if (c != ',') {
                throw bad("expected , or }");
            }
        }
    }

    private Object value() {
        char c = peek();
        if (c == '"') {
            return string();
        }
        if (s.startsWith("null", i)) {
            i += 4;
            return null;
        }
        if (s.startsWith("true", i)) {
            i += 4;
            return true;
        }
        if (s.startsWith("false", i)) {
            i += 5;
            return false;
        }
        int start = i;
        while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        String n = s.substring(start, i);
        if (n.isEmpty()) {
            throw bad("expected a value");
        }
        return n.matches("-?\\d+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return b.toString();
            }
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw bad("short \\u escape");
                    }
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                    i += 4;
                }
                default -> throw bad("bad escape \\" + e);
            }
        }
    }

    private void space() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
    }

    private char peek() {
        if (i >= s.length()) {
            throw bad("unexpected end");
        }
        return s.charAt(i);
    }

    private char next() {
        char c = peek();
        i++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) {
            throw bad("expected " + c);
        }
    }

    private IllegalArgumentException bad(String why) {
        return new IllegalArgumentException("not a JSON object line (" + why + " at " + i + "): " + s);
    }
}
