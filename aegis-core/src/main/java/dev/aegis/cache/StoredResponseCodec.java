package dev.aegis.cache;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The bytes of a {@link StoredResponse} in a shared tier: a version byte, then its fields. Nodes of different
 * versions sharing one Redis ignore each other's objects rather than misread them.
 */
public final class StoredResponseCodec {
    static final byte VERSION = 1;
    private static final int MAX_FIELDS = 1024;

    private StoredResponseCodec() {
    }

    public static byte[] encode(StoredResponse r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(r.body().length + 512);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeUTF(r.url());
            out.writeShort(r.status());
            out.writeShort(r.headers().size());
            for (Map.Entry<String, String> h : r.headers()) {
                out.writeUTF(h.getKey());
                out.writeUTF(h.getValue());
            }
            out.writeInt(r.body().length);
            out.write(r.body());
            out.writeLong(r.requestTimeMillis());
            out.writeLong(r.responseTimeMillis());
            out.writeLong(r.dateMillis());
            out.writeLong(r.ageSeconds());
            out.writeLong(r.freshnessMillis());
            out.writeLong(r.staleWhileRevalidateMillis());
            out.writeLong(r.staleIfErrorMillis());
            out.writeBoolean(r.mustRevalidate());
            out.writeBoolean(r.noCache());
            out.writeShort(r.vary().size());
            for (String v : r.vary()) {
                out.writeUTF(v);
            }
            writeNullable(out, r.etag());
            writeNullable(out, r.lastModified());
        } catch (IOException e) {
            throw new IllegalStateException(e); // a byte array stream does not fail
        }
        return bytes.toByteArray();
    }

    /** The object, or null when the bytes are of another version or malformed. */
    public static StoredResponse decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes[0] != VERSION) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            in.readByte();
            String url = in.readUTF();
            int status = in.readShort();
            int n = in.readShort();
            if (n < 0 || n > MAX_FIELDS) {
                return null;
            }
            List<Map.Entry<String, String>> headers = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                headers.add(Map.entry(in.readUTF(), in.readUTF()));
            }
            int len = in.readInt();
            if (len < 0 || len > bytes.length) {
                return null;
            }
            byte[] body = in.readNBytes(len);
            long requestTime = in.readLong();
            long responseTime = in.readLong();
            long date = in.readLong();
            long age = in.readLong();
            long freshness = in.readLong();
            long swr = in.readLong();
            long sie = in.readLong();
            boolean mustRevalidate = in.readBoolean();
            boolean noCache = in.readBoolean();
            int v = in.readShort();
            if (v < 0 || v > MAX_FIELDS) {
                return null;
            }
            List<String> vary = new ArrayList<>(v);
            for (int i = 0; i < v; i++) {
                vary.add(in.readUTF());
            }
            String etag = readNullable(in);
            String lastModified = readNullable(in);
            return new StoredResponse(url, status, headers, body, requestTime, responseTime, date, age, freshness, swr,
                    sie, mustRevalidate, noCache, vary, etag, lastModified);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
