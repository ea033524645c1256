using System.Text;

namespace MlOps.Platform.Onnx;

/// <summary>
/// What an ONNX file says of itself (its header fields: IR version, producer, operator sets), read from the
/// protobuf without a runtime, so an import can name the producer and refuse a file with no operator set before
/// ONNX Runtime opens it.
/// </summary>
/// <param name="IrVersion">The ONNX IR version.</param>
/// <param name="Producer">The exporter that wrote the file (<c>pytorch</c>, <c>skl2onnx</c>), empty when not given.</param>
/// <param name="ProducerVersion">The exporter's version, empty when not given.</param>
/// <param name="Opsets">The operator set version by domain (<c>ai.onnx</c> for the default domain, <c>ai.onnx.ml</c>...).</param>
public sealed record OnnxModelInfo(long IrVersion, string Producer, string ProducerVersion, IReadOnlyDictionary<string, long> Opsets)
{
    /// <summary>The operator sets as one line: <c>ai.onnx 17, ai.onnx.ml 3</c>.</summary>
    public string OpsetText => string.Join(", ", Opsets.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key} {o.Value}"));

    /// <summary>Reads the header fields of an ONNX model (a ModelProto).</summary>
    /// <exception cref="ModelLoadException">The bytes are not a protobuf ModelProto, or it imports no operator set.</exception>
    public static OnnxModelInfo Read(ReadOnlySpan<byte> model, string path)
    {
        long ir = 0;
        string producer = string.Empty, producerVersion = string.Empty;
        var opsets = new Dictionary<string, long>(StringComparer.Ordinal);
        var reader = new Reader(model, path);
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.Tag();
            switch (field, wireType)
            {
                case (1, 0):
                    ir = reader.Varint();
                    break;
                case (2, 2):
                    producer = Encoding.UTF8.GetString(reader.Bytes());
                    break;
                case (3, 2):
                    producerVersion = Encoding.UTF8.GetString(reader.Bytes());
                    break;
                case (8, 2):
                    var (domain, version) = ReadOpset(reader.Bytes(), path);
                    opsets[domain.Length == 0 ? "ai.onnx" : domain] = version;
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        if (opsets.Count == 0)
        {
            throw new ModelLoadException(
                $"ONNX file '{path}' imports no operator set (opset_import is empty): its operators cannot be resolved. Export it again with an opset (e.g. torch.onnx.export(..., opset_version=17)).",
                "ONNX file has no opset");
        }

        return new OnnxModelInfo(ir, producer, producerVersion, opsets);
    }

    private static (string Domain, long Version) ReadOpset(ReadOnlySpan<byte> bytes, string path)
    {
        var domain = string.Empty;
        long version = 0;
        var reader = new Reader(bytes, path);
        while (!reader.AtEnd)
        {
            var (field, wireType) = reader.Tag();
            switch (field, wireType)
            {
                case (1, 2):
                    domain = Encoding.UTF8.GetString(reader.Bytes());
                    break;
                case (2, 0):
                    version = reader.Varint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return (domain, version);
    }

    /// <summary>Just enough of the protobuf wire format to walk a message's fields.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data, string path)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool AtEnd => _position >= _data.Length;

        public (int Field, int WireType) Tag()
        {
            var tag = Varint();
            return ((int)(tag >> 3), (int)(tag & 7));
        }

        public long Varint()
        {
            long value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = Next();
                value |= (long)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }

            throw Corrupt("a varint is longer than 10 bytes");
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Varint();
            if (length < 0 || length > _data.Length - _position)
            {
                throw Corrupt($"a field of {length} bytes runs past the end of the file");
            }

            var bytes = _data.Slice(_position, (int)length);
            _position += (int)length;
            return bytes;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0:
                    Varint();
                    break;
                case 1:
                    Advance(8);
                    break;
                case 2:
                    Bytes();
                    break;
                case 5:
                    Advance(4);
                    break;
                default:
                    throw Corrupt($"wire type {wireType} is not one of a protobuf message");
            }
        }

        private void Advance(int count)
        {
            if (count > _data.Length - _position)
            {
                throw Corrupt("a field runs past the end of the file");
            }

            _position += count;
        }

        private byte Next() => _position < _data.Length ? _data[_position++] : throw Corrupt("it ends inside a field");

        private readonly ModelLoadException Corrupt(string why) =>
            new($"'{path}' is not an ONNX model (a protobuf ModelProto): {why}.", "ONNX file is corrupt");
    }
}
