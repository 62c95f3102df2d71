package ft.server.storage;

import java.util.List;

/** One page of a listing; {@code nextToken} asks for the next page, null when there is none. */
public record ListPage(List<Entry> entries, String nextToken) {
    public boolean more() {
        return nextToken != null;
    }
}
