package dev.healthcheckoperator.sidecar.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server on 127.0.0.1 for the dns probe's tests, answering from what the test put in it, and misbehaving on
 * purpose for some names:
 * <ul>
 * <li>{@code silent.test}: never answers;</li>
 * <li>{@code servfail.test}, {@code refused.test}: SERVFAIL, REFUSED; any name not given records: NXDOMAIN;</li>
 * <li>{@code garbage.test}: a reply with the query's ID whose answer record runs past the end of the datagram;</li>
 * <li>{@code truncated.test}: the TC bit set, no answer;</li>
 * <li>{@code wrong-id.test}: a well-formed answer with another ID, and nothing else;</li>
 * <li>{@code huge.test}: 1000 A records, a datagram of 16 KiB.</li>
 * </ul>
 */
public final class ScriptedDnsServer implements AutoCloseable {

    public static final int A = 1;
    public static final int CNAME = 5;
    public static final int MX = 15;
    public static final int TXT = 16;
    public static final int AAAA = 28;
    public static final int SRV = 33;

    private final DatagramSocket socket;
    private final Map<String, List<byte[]>> records = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();

    public ScriptedDnsServer() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(this::serve, "scripted-dns");
        thread.setDaemon(true);
        thread.start();
    }

    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    public int queries() {
        return queries.get();
    }

    /** Answers {@code type} queries for {@code name} with these record data (RDATA), one record each. */
    public void put(String name, int type, byte[]... rdata) {
        records.put(key(name, type), List.of(rdata));
    }

    public static byte[] address(String literal) throws IOException {
        return InetAddress.getByName(literal).getAddress();
    }

    /** An uncompressed name, as RDATA of a CNAME, or the end of MX and SRV data. */
    public static byte[] name(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : name.split("\\.")) {
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        out.write(0);
        return out.toByteArray();
    }

    public static byte[] mx(int preference, String exchange) {
        return concat(shorts(preference), name(exchange));
    }

    public static byte[] srv(int priority, int weight, int port, String target) {
        return concat(shorts(priority, weight, port), name(target));
    }

    public static byte[] txt(String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : strings) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] shorts(int... values) {
        byte[] bytes = new byte[values.length * 2];
        for (int i = 0; i < values.length; i++) {
            bytes[2 * i] = (byte) (values[i] >> 8);
            bytes[2 * i + 1] = (byte) values[i];
        }
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static String key(String name, int type) {
        String lower = name.toLowerCase(Locale.ROOT);
        return (lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower) + "/" + type;
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                socket.receive(query);
                queries.incrementAndGet();
                byte[] reply = reply(Arrays.copyOf(query.getData(), query.getLength()));
                if (reply != null) {
                    socket.send(new DatagramPacket(reply, reply.length, query.getSocketAddress()));
                }
            } catch (SocketException closed) {
                return;
            } catch (IOException | RuntimeException ignored) {
                // keep serving
            }
        }
    }

    private byte[] reply(byte[] query) {
        // The question: labels from offset 12, then type and class.
        int at = 12;
        List<String> labels = new ArrayList<>();
        while (query[at] != 0) {
            int length = query[at];
            labels.add(new String(query, at + 1, length, StandardCharsets.US_ASCII));
            at += length + 1;
        }
        int questionEnd = at + 5;
        int type = ((query[at + 1] & 0xff) << 8) | (query[at + 2] & 0xff);
        String name = String.join(".", labels).toLowerCase(Locale.ROOT);
        byte[] question = Arrays.copyOfRange(query, 12, questionEnd);
        switch (name) {
            case "silent.test":
                return null;
            case "servfail.test":
                return header(query, 2, false, 0, question);
            case "refused.test":
                return header(query, 5, false, 0, question);
            case "truncated.test":
                return header(query, 0, true, 0, question);
            case "garbage.test": {
                byte[] head = header(query, 0, false, 1, question);
                // A record that announces 200 bytes of data and has 3.
                byte[] record = {(byte) 0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, (byte) 200, 1, 2, 3};
                return concat(head, record);
            }
            case "wrong-id.test": {
                byte[] other = query.clone();
                other[0] ^= 0x5A;
                return concat(header(other, 0, false, 1, question), record(A, new byte[] {10, 9, 9, 9}));
            }
            case "huge.test": {
                byte[] huge = header(query, 0, false, 1000, question);
                for (int i = 0; i < 1000; i++) {
                    huge = concat(huge, record(A, new byte[] {10, 0, (byte) (i >> 8), (byte) i}));
                }
                return huge;
            }
            default:
                break;
        }
        List<byte[]> data = records.get(key(name, type));
        if (data == null) {
            return header(query, 3, false, 0, question);
        }
        byte[] reply = header(query, 0, false, data.size(), question);
        for (byte[] rdata : data) {
            reply = concat(reply, record(type, rdata));
        }
        return reply;
    }

    /** A response header echoing the query's ID and question, with this RCODE, TC bit and answer count. */
    private static byte[] header(byte[] query, int rcode, boolean truncated, int answers, byte[] question) {
        byte[] head = new byte[12];
        head[0] = query[0];
        head[1] = query[1];
        head[2] = (byte) (0x81 | (truncated ? 0x02 : 0)); // QR, RD (and TC)
        head[3] = (byte) (0x80 | rcode); // RA, RCODE
        head[5] = 1; // one question
        head[6] = (byte) (answers >> 8);
        head[7] = (byte) answers;
        return concat(head, question);
    }

    /** An answer record for the question's name (a compression pointer to offset 12), TTL 60. */
    private static byte[] record(int type, byte[] rdata) {
        byte[] fixed = {(byte) 0xC0, 12, (byte) (type >> 8), (byte) type, 0, 1, 0, 0, 0, 60,
            (byte) (rdata.length >> 8), (byte) rdata.length};
        return concat(fixed, rdata);
    }

    @Override
    public void close() {
        socket.close();
    }
}
