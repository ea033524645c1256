using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MlOps.Platform.Testing;

/// <summary>
/// Checks JSON values against the schemas of an OpenAPI 3.1 document, for the part of JSON Schema the
/// document uses: type, properties, required, additionalProperties, items, minItems, maxItems, minimum,
/// maximum, enum, pattern, $ref to the document's components, nullable and oneOf. A schema with any other
/// keyword throws <see cref="NotSupportedException"/>: a test must not pass because a rule went unchecked.
/// </summary>
public sealed class OpenApiSchemaValidator(JsonNode document)
{
    /// <summary>Keywords that constrain a value; each is checked below.</summary>
    public static IReadOnlySet<string> Assertions { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "type", "properties", "required", "additionalProperties", "items", "minItems", "maxItems",
        "minimum", "maximum", "enum", "pattern", "$ref", "nullable", "oneOf",
    };

    /// <summary>Keywords that only describe a value (JSON Schema treats <c>format</c> as an annotation).</summary>
    public static IReadOnlySet<string> Annotations { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "description", "format", "title",
    };

    /// <summary>Resolves a local reference such as <c>#/components/schemas/PredictRequest</c>.</summary>
    public JsonObject Resolve(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Only references inside the document are understood, got '{reference}'.");
        }

        JsonNode? node = document;
        foreach (var token in reference[2..].Split('/'))
        {
            node = node?[token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
        }

        return node as JsonObject ?? throw new InvalidOperationException($"The document has no schema at '{reference}'.");
    }

    /// <summary>The schema itself, or the one its <c>$ref</c> points to when that is all it holds.</summary>
    public JsonObject Dereference(JsonObject schema) =>
        schema.Count == 1 && schema["$ref"] is { } reference ? Dereference(Resolve(reference.GetValue<string>())) : schema;

    /// <summary>Every keyword of <paramref name="schema"/> and the schemas inside it that this validator does not understand.</summary>
    public static IEnumerable<string> UnknownKeywords(JsonObject schema)
    {
        foreach (var (keyword, value) in schema)
        {
            if (!Assertions.Contains(keyword) && !Annotations.Contains(keyword))
            {
                yield return keyword;
            }

            foreach (var inner in Subschemas(keyword, value))
            {
                foreach (var unknown in UnknownKeywords(inner))
                {
                    yield return unknown;
                }
            }
        }
    }

    /// <summary>Validates <paramref name="value"/> against <paramref name="schema"/>; returns one message per broken rule.</summary>
    public IReadOnlyList<string> Validate(JsonNode? value, JsonObject schema)
    {
        var errors = new List<string>();
        Check(value, schema, "$", errors);
        return errors;
    }

    private void Check(JsonNode? value, JsonObject schema, string path, List<string> errors)
    {
        if (UnknownKeywords(schema).FirstOrDefault() is { } unknown)
        {
            throw new NotSupportedException(
                $"The schema at {path} uses '{unknown}', which {nameof(OpenApiSchemaValidator)} does not check; teach it the keyword.");
        }

        if (schema["$ref"] is { } reference)
        {
            Check(value, Resolve(reference.GetValue<string>()), path, errors);
        }

        if (value is null && schema["nullable"]?.GetValue<bool>() == true)
        {
            return;
        }

        if (schema["type"] is { } type && !TypesOf(type).Any(t => HasType(value, t)))
        {
            errors.Add($"{path}: must be of type {string.Join(" or ", TypesOf(type))}, got {Describe(value)}");
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add($"{path}: must be one of {allowed.ToJsonString()}, got {Describe(value)}");
        }

        if (schema["oneOf"] is JsonArray choices)
        {
            var matching = choices.Count(choice => Validate(value, choice!.AsObject()).Count == 0);
            if (matching != 1)
            {
                errors.Add($"{path}: must match exactly one schema of oneOf, matches {matching}");
            }
        }

        switch (value)
        {
            case JsonObject obj:
                CheckObject(obj, schema, path, errors);
                break;
            case JsonArray array:
                CheckArray(array, schema, path, errors);
                break;
            case JsonValue scalar when scalar.GetValueKind() == JsonValueKind.Number:
                CheckNumber(scalar.GetValue<double>(), schema, path, errors);
                break;
            case JsonValue scalar when scalar.GetValueKind() == JsonValueKind.String:
                if (schema["pattern"] is { } pattern && !Regex.IsMatch(scalar.GetValue<string>(), pattern.GetValue<string>()))
                {
                    errors.Add($"{path}: must match {pattern.GetValue<string>()}, got {Describe(value)}");
                }

                break;
            default:
                break;
        }
    }

    private void CheckObject(JsonObject value, JsonObject schema, string path, List<string> errors)
    {
        foreach (var required in schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [])
        {
            if (!value.ContainsKey(required))
            {
                errors.Add($"{path}.{required}: is required");
            }
        }

        var properties = schema["properties"]?.AsObject();
        foreach (var (name, property) in value)
        {
            if (properties?[name] is JsonObject declared)
            {
                Check(property, declared, $"{path}.{name}", errors);
            }
            else if (schema["additionalProperties"] is JsonObject additional)
            {
                Check(property, additional, $"{path}.{name}", errors);
            }
            else if (schema["additionalProperties"] is JsonValue allowed && !allowed.GetValue<bool>())
            {
                errors.Add($"{path}.{name}: is not allowed (additionalProperties is false)");
            }
        }
    }

    private void CheckArray(JsonArray value, JsonObject schema, string path, List<string> errors)
    {
        if (schema["minItems"] is { } min && value.Count < min.GetValue<int>())
        {
            errors.Add($"{path}: must hold at least {min} items, holds {value.Count}");
        }

        if (schema["maxItems"] is { } max && value.Count > max.GetValue<int>())
        {
            errors.Add($"{path}: must hold at most {max} items, holds {value.Count}");
        }

        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < value.Count; i++)
            {
                Check(value[i], items, $"{path}[{i}]", errors);
            }
        }
    }

    private static void CheckNumber(double number, JsonObject schema, string path, List<string> errors)
    {
        if (schema["minimum"] is { } min && number < min.GetValue<double>())
        {
            errors.Add($"{path}: must be at least {min}, got {number.ToString(CultureInfo.InvariantCulture)}");
        }

        if (schema["maximum"] is { } max && number > max.GetValue<double>())
        {
            errors.Add($"{path}: must be at most {max}, got {number.ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static IEnumerable<string> TypesOf(JsonNode type) =>
        type is JsonArray types ? types.Select(t => t!.GetValue<string>()) : [type.GetValue<string>()];

    /// <summary>JSON Schema types; an integer is any number without a fractional part (5.0 is one).</summary>
    private static bool HasType(JsonNode? value, string type) => type switch
    {
        "null" => value is null,
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => value?.GetValueKind() == JsonValueKind.String,
        "boolean" => value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "number" => value?.GetValueKind() == JsonValueKind.Number,
        "integer" => value?.GetValueKind() == JsonValueKind.Number && double.IsInteger(value.GetValue<double>()),
        _ => throw new NotSupportedException($"Unknown JSON Schema type '{type}'."),
    };

    private static IEnumerable<JsonObject> Subschemas(string keyword, JsonNode? value) => keyword switch
    {
        "properties" => value!.AsObject().Select(p => p.Value!.AsObject()),
        "items" or "additionalProperties" when value is JsonObject schema => [schema],
        "oneOf" => value!.AsArray().Select(s => s!.AsObject()),
        _ => [],
    };

    private static string Describe(JsonNode? value) => value is null ? "null" : value.ToJsonString();
}
