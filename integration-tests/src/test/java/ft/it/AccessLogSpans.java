package ft.it;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code ft serve}'s access log ({@code TIME LEVEL access /IP:PORT op path bytes=N ms=M
 * result=R}) as spans of connections: from the start of a connection's first logged request
 * (its end minus its {@code ms}) to the end of its last. Connections refused BUSY never say
 * hello and so never appear; what is left are the connections the server admitted.
 */
final class AccessLogSpans {
    private static final Pattern LINE = Pattern.compile("^(\\S+) \\S+\\s+access (/\\S+) .* ms=(\\d+) result=\\S+");

    private AccessLogSpans() {}

    /**
     * The most admitted connections whose spans overlap at one instant: a lower bound for the
     * connections the server held at once (a connection is open a little before its first
     * and after its last request).
     */
    static int peakOverlap(List<String> log) {
        Map<String, long[]> spans = new HashMap<>();
        for (String line : log) {
            Matcher m = LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            long end = OffsetDateTime.parse(m.group(1)).toInstant().toEpochMilli();
            long start = end - Long.parseLong(m.group(3));
            spans.merge(m.group(2), new long[] {start, end}, (a, b) ->
                    new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        List<long[]> edges = new ArrayList<>();
        for (long[] span : spans.values()) {
            edges.add(new long[] {span[0], +1});
            edges.add(new long[] {span[1], -1});
        }
        // At equal times, ends before starts: touching spans do not overlap.
        edges.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int open = 0;
        int peak = 0;
        for (long[] edge : edges) {
            open += (int) edge[1];
            peak = Math.max(peak, open);
        }
        return peak;
    }
}
