using System.Text;
using MlOps.Platform.Onnx;
using Xunit.Abstractions;

namespace MlOps.Platform.Tests.Onnx;

/// <summary>
/// A graph that cannot serve its definition is refused when it is opened, with a <see cref="ModelLoadException"/> that
/// names what does not fit: never a crash, never a failure at the first request.
/// </summary>
public sealed class OnnxRefusalTests(ITestOutputHelper output)
{
    [Fact]
    public void A_graph_with_an_operator_the_runtime_does_not_implement_is_refused_naming_the_node_and_the_operator()
    {
        var definition = OnnxCase.Of("unsupported_operator");

        var refused = Refused(definition.Graph, definition);

        refused.Message.Should().Contain("custom_scorer").And.Contain("NoSuchOperator");
        refused.Reason.Should().Be("ONNX model cannot be loaded by this runtime");
    }

    [Fact]
    public void A_graph_whose_input_no_batch_of_rows_fits_is_refused_naming_the_input()
    {
        var definition = OnnxCase.Of("unbindable_input");

        var refused = Refused(definition.Graph, definition);

        refused.Message.Should().Contain("input 'sequence'").And.Contain("[?, ?, 3]");
    }

    [Fact]
    public void A_binding_to_an_output_the_graph_does_not_have_is_refused_naming_it_and_the_graphs_outputs()
    {
        var definition = OnnxCase.Of("torch_binary");
        var wrong = definition.With(binding: definition.Onnx with { Output = "probabilities" });

        var refused = Refused(definition.Graph, wrong);

        refused.Message.Should().Contain("no output 'probabilities'").And.Contain("logits");
    }

    [Fact]
    public void Features_named_otherwise_than_the_graphs_column_inputs_are_refused_naming_the_input()
    {
        var definition = OnnxCase.Of("sklearn_binary_columns");
        var renamed = definition.With(features: [.. definition.Features.Select(f => f.Name == "mean_texture" ? f with { Name = "texture" } : f)]);

        var refused = Refused(definition.Graph, renamed);

        refused.Message.Should().Contain("input 'mean_texture' is not a feature of model sklearnbinarycolumns");
    }

    [Fact]
    public void A_feature_that_no_column_input_takes_is_refused_naming_it()
    {
        var definition = OnnxCase.Of("sklearn_binary_columns");
        var extra = definition.With(features: [.. definition.Features, new NumericFeature("mean_area", 0, 3000, WholeNumber: false)]);

        var refused = Refused(definition.Graph, extra);

        refused.Message.Should().Contain("feature(s) mean_area of model sklearnbinarycolumns have no input of that name");
    }

    [Fact]
    public void Features_that_are_not_as_many_as_the_columns_of_the_features_tensor_are_refused_naming_the_input()
    {
        var definition = OnnxCase.Of("torch_binary");
        var fewer = definition.With(features: [.. definition.Features.Take(29)]);

        var refused = Refused(definition.Graph, fewer);

        refused.Message.Should().Contain("input 'input' has shape tensor(float) [?, 30]").And.Contain("29 feature(s)");
    }

    [Theory]
    [InlineData("text")]
    [InlineData("random")]
    [InlineData("empty")]
    [InlineData("first half")]
    [InlineData("all but the last bytes")]
    [InlineData("graph overwritten")]
    public void Bytes_that_are_not_a_whole_onnx_model_are_refused(string bytes)
    {
        var definition = OnnxCase.Of("torch_binary");
        var graph = definition.Graph;
        var random = new byte[4096];
        new Random(7).NextBytes(random);

        var refused = Refused(
            bytes switch
            {
                "text" => Encoding.UTF8.GetBytes("this is not an ONNX model"),
                "random" => random,
                "empty" => [],
                "first half" => graph[..(graph.Length / 2)],
                "graph overwritten" => Overwritten(graph, Fields(graph).Single(f => f.Number == Graph).Content),
                _ => graph[..^8],
            },
            definition);

        refused.Message.Should().Contain(definition.GraphPath);
    }

    [Fact]
    public void A_model_that_imports_no_operator_set_is_refused_before_the_runtime_opens_it()
    {
        var definition = OnnxCase.Of("torch_binary");
        var graph = WithoutField(definition.Graph, OpsetImport);
        graph.Length.Should().BeLessThan(definition.Graph.Length, "the file had an opset_import");

        var refused = Refused(graph, definition);

        refused.Message.Should().Contain("imports no operator set");
        refused.Reason.Should().Be("ONNX file has no opset");
    }

    /// <summary>The field number of ModelProto.graph.</summary>
    private const int Graph = 7;

    /// <summary>The field number of ModelProto.opset_import.</summary>
    private const int OpsetImport = 8;

    private ModelLoadException Refused(byte[] graph, OnnxCase definition)
    {
        var open = () => OnnxKind.OpenGraph(graph, definition, definition.GraphPath).Dispose();
        var refused = open.Should().Throw<ModelLoadException>().Which;
        output.WriteLine(refused.Message);
        return refused;
    }

    /// <summary>A protobuf message without its top-level fields numbered <paramref name="number"/>.</summary>
    private static byte[] WithoutField(byte[] message, int number) =>
        [.. Fields(message).Where(f => f.Number != number).SelectMany(f => message[f.Start..f.End])];

    /// <summary>The message with 16 bytes of 0xff from <paramref name="at"/>: a varint that never ends, where a field's tag is read.</summary>
    private static byte[] Overwritten(byte[] message, int at) =>
        [.. message[..at], .. Enumerable.Repeat((byte)0xff, 16), .. message[(at + 16)..]];

    /// <summary>The top-level fields of a protobuf message: number, where the field starts, its content and its end.</summary>
    private static List<(int Number, int Start, int Content, int End)> Fields(byte[] message)
    {
        var fields = new List<(int, int, int, int)>();
        var position = 0;
        while (position < message.Length)
        {
            var start = position;
            var tag = Varint(message, ref position);
            var content = position;
            switch (tag & 7)
            {
                case 0:
                    Varint(message, ref position);
                    content = start;
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    content = position;
                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"Wire type {tag & 7} at byte {start}.");
            }

            fields.Add(((int)(tag >> 3), start, content, position));
        }

        return fields;
    }

    private static ulong Varint(byte[] bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }
    }
}
