package dev.aegis.origin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The bodies the origin serves unchanged, allocated once off-heap, read-only and unreleasable, so an answer is
 * a {@code retainedDuplicate()} or {@code retainedSlice()} of one of them: no allocation of body bytes and no
 * copy on the way to the socket.
 */
final class FixedBodies {
    /**
     * Sized bodies and streamed downloads are all the same 64-byte line repeated: byte {@code i} of any of them
     * is {@code PATTERN.charAt(i % 64)}, whatever the chunking, so a test can check every byte it reads.
     */
    static final String PATTERN = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n";

    static final ByteBuf ROOT = frozen("AEGIS mock origin\n");
    static final ByteBuf HEALTH = frozen("ok");
    static final ByteBuf K1 = pattern(1024);
    static final ByteBuf K16 = pattern(16 * 1024);
    /** Also the source of every chunk of a {@code /bytes/{n}} download. */
    static final ByteBuf K64 = pattern(64 * 1024);

    static final ByteBuf USERS = frozen("""
            [{"id":1,"name":"Ada Lovelace","email":"ada@example.com","role":"admin"},\
            {"id":2,"name":"Grace Hopper","email":"grace@example.com","role":"user"},\
            {"id":3,"name":"Alan Turing","email":"alan@example.com","role":"user"}]
            """);
    static final ByteBuf PRODUCTS = frozen("""
            [{"id":101,"name":"Edge Router","price":249.00,"currency":"EUR","stock":12},\
            {"id":102,"name":"TLS Terminator","price":99.50,"currency":"EUR","stock":40},\
            {"id":103,"name":"Rate Limiter","price":19.99,"currency":"EUR","stock":0}]
            """);
    static final ByteBuf ORDERS = frozen("""
            [{"id":5001,"userId":1,"items":[101,102],"total":348.50,"status":"shipped"},\
            {"id":5002,"userId":2,"items":[103],"total":19.99,"status":"pending"},\
            {"id":5003,"userId":3,"items":[102,103],"total":119.49,"status":"delivered"}]
            """);

    private FixedBodies() {}

    static byte patternByte(long index) {
        return (byte) PATTERN.charAt((int) (index & 63));
    }

    private static ByteBuf pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = patternByte(i);
        }
        return frozen(bytes);
    }

    private static ByteBuf frozen(String text) {
        return frozen(text.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuf frozen(byte[] bytes) {
        // A JDK direct ByteBuffer is freed by the GC (these live as long as the class), and wrapping one is not
        // tracked by Netty's leak detector, which would otherwise report these never-released buffers.
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(direct.asReadOnlyBuffer()));
    }
}
