package ft.server;

import ft.protocol.FrameWriter;
import ft.protocol.HeaderCodec;
import ft.protocol.ListItem;
import ft.protocol.Request;
import ft.protocol.Response;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Answers list with one sorted page of a directory.
 *
 * <p>Each page is picked in one pass over the directory with a heap of at most
 * {@code limit + 1} names, so a directory of millions of entries costs the server memory for
 * one page, never for the whole listing; the client asks for the next page after the last
 * name it got.
 */
final class ListDirectory {
    private static final HeaderCodec CODEC = new HeaderCodec();

    private ListDirectory() {}

    static void handle(Request.List request, RequestContext ctx) throws RefusedException, IOException {
        Share share = ctx.share();
        Path dir = share.jail().resolveDirectory(request.path());
        Page page = pick(dir, dir.equals(share.jail().root()), request.after(), request.limit());
        // Every entry is looked at before the answer starts, so a failure of the directory is
        // still answered with an error frame rather than cutting the listing off.
        List<ListItem.Entry> entries = new ArrayList<>(page.names().size());
        for (String name : page.names()) {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(dir.resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException removedMeanwhile) {
                continue;
            }
            long size = attrs.isRegularFile() ? attrs.size() : 0;
            entries.add(new ListItem.Entry(name, DescribePath.typeOf(attrs), size, attrs.lastModifiedTime().toMillis()));
        }
        ctx.answer(new Response.Ok());
        ctx.phase(RequestContext.Phase.SENDING);
        FrameWriter writer = ctx.writer();
        for (ListItem.Entry entry : entries) {
            writer.writeFrame(CODEC.encode(entry));
            ctx.bytes(ctx.bytes() + 1);
        }
        writer.writeFrame(CODEC.encode(new ListItem.End(entries.size(), page.more(), null)));
        writer.flush();
    }

    record Page(List<String> names, boolean more) {}

    /** The {@code limit} smallest names after {@code after}, and whether more remain. */
    static Page pick(Path dir, boolean isRoot, String after, int limit) throws IOException {
        PriorityQueue<String> largestFirst = new PriorityQueue<>(limit + 1, Comparator.reverseOrder());
        boolean more = false;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (isRoot && name.equals(RootJail.STATE_DIR)) {
                    continue;
                }
                if (after != null && name.compareTo(after) <= 0) {
                    continue;
                }
                largestFirst.add(name);
                if (largestFirst.size() > limit) {
                    largestFirst.poll();
                    more = true;
                }
            }
        }
        List<String> names = new ArrayList<>(largestFirst);
        Collections.sort(names);
        return new Page(names, more);
    }
}
