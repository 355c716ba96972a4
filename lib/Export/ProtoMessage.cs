using Google.Protobuf;

namespace CnnSentinel.Export;

/// <summary>
/// One protobuf message being written, field by field, with Google.Protobuf's wire writer: enough to write
/// ONNX files without generated code. Nested messages are written into their own <see cref="ProtoMessage"/>
/// and added with <see cref="Message"/>, which writes their length first.
/// </summary>
internal sealed class ProtoMessage
{
    readonly MemoryStream buffer = new();
    readonly CodedOutputStream output;

    /// <summary>An empty message.</summary>
    public ProtoMessage() => output = new CodedOutputStream(buffer, leaveOpen: true);

    /// <summary>Writes a string field (skipped when empty, as proto3 does).</summary>
    public ProtoMessage String(int field, string value)
    {
        if (value.Length == 0) return this;
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
        return this;
    }

    /// <summary>Writes a 64-bit integer field (varint).</summary>
    public ProtoMessage Int64(int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
        return this;
    }

    /// <summary>Writes a 32-bit float field.</summary>
    public ProtoMessage Float(int field, float value)
    {
        output.WriteTag(field, WireFormat.WireType.Fixed32);
        output.WriteFloat(value);
        return this;
    }

    /// <summary>Writes a repeated 64-bit integer field, packed.</summary>
    public ProtoMessage PackedInt64s(int field, IEnumerable<long> values)
    {
        var packed = new ProtoMessage();
        foreach (var value in values) packed.output.WriteInt64(value);
        return Bytes(field, packed.ToBytes());
    }

    /// <summary>Writes a bytes field.</summary>
    public ProtoMessage Bytes(int field, ReadOnlySpan<byte> value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
        return this;
    }

    /// <summary>Writes a nested message field.</summary>
    public ProtoMessage Message(int field, ProtoMessage value) => Bytes(field, value.ToBytes());

    /// <summary>The message's bytes so far.</summary>
    public byte[] ToBytes()
    {
        output.Flush();
        return buffer.ToArray();
    }
}
