package ft.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The hex dumps in {@code protocol/PROTOCOL.md} are exactly what the codec and frame writer
 * produce, so the document cannot drift from the code.
 */
class ProtocolSpecExamplesTest {
    private static final HeaderCodec CODEC = new HeaderCodec();
    private static final Md5 HELLO_MD5 = new Md5("5d41402abc4b2a76b9719d911017c592");
    /** An xxd -g1 line, optionally after a direction arrow: offset, then the hex part. */
    private static final Pattern DUMP_LINE = Pattern.compile("^(?:[→←] |  )([0-9a-f]{8}): (.*)$");

    private static String framed(Request r) throws Exception {
        return frame(CODEC.encode(r));
    }

    private static String framed(Response r) throws Exception {
        return frame(CODEC.encode(r));
    }

    private static String frame(byte[] payload) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FrameWriter(out).writeFrame(payload);
        return HexFormat.of().formatHex(out.toByteArray());
    }

    private static String hex(String s) {
        return HexFormat.of().formatHex(s.getBytes(UTF_8));
    }

    /** Every dump in the document, in order, as one hex string each. */
    private static List<String> dumpsIn(Path document) throws Exception {
        List<String> dumps = new ArrayList<>();
        StringBuilder current = null;
        for (String line : Files.readAllLines(document, UTF_8)) {
            Matcher m = DUMP_LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            if (m.group(1).equals("00000000")) {
                current = new StringBuilder();
                dumps.add(null);
            }
            int end = m.group(2).indexOf("  ");
            String hexPart = end < 0 ? m.group(2) : m.group(2).substring(0, end);
            current.append(hexPart.replace(" ", ""));
            dumps.set(dumps.size() - 1, current.toString());
        }
        return dumps;
    }

    @Test
    void everyHexDumpInTheSpecIsWhatTheCodeWrites() throws Exception {
        List<String> expected = List.of(
                framed(new Request.Hello(1)),
                framed(new Response.HelloOk(1, "ft/0.1.0")),
                framed(new Request.Get("docs/hello.txt", 0)),
                framed(new Response.GetOk("hello.txt", 5, HELLO_MD5, 0)) + hex("hello"),
                framed(new Request.Put("docs/hello.txt", 5, HELLO_MD5)),
                framed(new Response.PutReady(0)),
                hex("hello"),
                framed(new Response.PutDone(HELLO_MD5)),
                framed(new Request.Put("docs/hello.txt", 5, HELLO_MD5, true)) + hex("hello"),
                framed(new Response.PutDone(HELLO_MD5)),
                framed(new Response.Error(ErrorCode.NOT_FOUND, "'docs/nope.txt' does not exist")));
        assertEquals(expected, dumpsIn(Path.of("PROTOCOL.md")));
    }

    @Test
    void helloFrameStartsWithLength26() throws Exception {
        assertEquals("0000001a", framed(new Request.Hello(1)).substring(0, 8));
    }

    @Test
    void resumedGetRequestInTheSpecHasPrefix5b() throws Exception {
        String spec = Files.readString(Path.of("PROTOCOL.md"), UTF_8);
        String request = "{\"op\":\"get\",\"path\":\"docs/hello.txt\",\"offset\":2,\"if_md5\":\"" + HELLO_MD5 + "\"}";
        assertEquals(request, new String(CODEC.encode(new Request.Get("docs/hello.txt", 2, HELLO_MD5)), UTF_8));
        assertEquals(true, spec.contains("`" + request + "`\n(91 bytes, prefix `00 00 00 5b`)"));
        assertEquals(91, request.getBytes(UTF_8).length);
    }
}
