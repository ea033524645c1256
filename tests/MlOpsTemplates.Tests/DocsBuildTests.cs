using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MlOpsTemplates.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MlOpsTemplates.Tests;

/// <summary>
/// `make docs` in a generated repo builds browsable HTML docs into artifacts/docs/: the HTTP API reference
/// from docs/openapi.json, the code reference from the XML doc comments and the Markdown guides, after
/// linting the OpenAPI document.
/// </summary>
public sealed partial class DocsBuildTests(ITestOutputHelper output)
{
    private const string Script = "scripts/docs.sh";

    // A name whose C# namespace differs from its project names (3d-vision.Fraud.scoring.*): the code reference
    // must find every project's XML docs all the same.
    public static TheoryData<string> ScenarioIds => new() { "name-odd" };

    [Theory]
    [MemberData(nameof(ScenarioIds))]
    public async Task Make_docs_builds_the_api_reference_the_code_reference_and_the_guides(string scenarioId)
    {
        var repo = await GeneratedRepo.GetAsync(Scenarios.Get(scenarioId));
        var docs = await MakeDocsAsync(repo);

        // The start page links the two references and every guide, and none of its links dangles.
        var startPage = File.ReadAllText(Path.Combine(docs, "index.html"));
        var guides = Directory.GetFiles(Path.Combine(repo.Root, "docs"), "*.md").Select(Path.GetFileName).Prepend("README.md")
            .Select(guide => Path.ChangeExtension(guide, ".html")!).ToArray();
        var links = RelativeLinks(startPage);
        var cards = Directory.GetFiles(Path.Combine(repo.Root, "docs", "models"), "*.md").Select(c => $"models/{Path.GetFileNameWithoutExtension(c)}.html").ToArray();
        cards.Should().NotBeEmpty("every model has its card in docs/models/");
        links.Should().Contain(["api/index.html", "code/reference/index.html", .. guides, .. cards], "the start page links every guide and every model's card");
        links.Where(link => !File.Exists(Path.Combine(docs, link))).Should().BeEmpty("every link of the start page must lead to a built page");

        // API reference: every path of the OpenAPI document, the predict route among them, rendered for offline use.
        var apiPage = File.ReadAllText(Path.Combine(docs, "api", "index.html"));
        var paths = JsonNode.Parse(File.ReadAllText(Path.Combine(repo.Root, "docs", "openapi.json")))!["paths"]!.AsObject()
            .Select(p => p.Key).ToArray();
        paths.Should().Contain(p => p.EndsWith(":predict", StringComparison.Ordinal), "the document describes the predict route");
        paths.Should().OnlyContain(p => apiPage.Contains($"\"{p}\"", StringComparison.Ordinal), "the API reference shows every route");
        apiPage.Should().NotMatchRegex(RemoteScript(), "the API reference must work offline, with its scripts inlined");

        // Code reference: a model definition of the Model project (the code the team owns; the platform's types are
        // documented in its packages) with the summaries of its XML doc comments.
        var xmlDocs = XDocument.Load(Path.ChangeExtension(repo.BuiltAssembly("Model"), ".xml"));
        var typeId = xmlDocs.Descendants("member").Select(m => (string)m.Attribute("name")!)
            .First(id => id.StartsWith("T:", StringComparison.Ordinal) && id.Contains(".Model.Models.", StringComparison.Ordinal));
        var typeName = typeId[(typeId.LastIndexOf('.') + 1)..];
        var summaries = xmlDocs.Descendants("member")
            .Where(m => (string)m.Attribute("name")! is var id
                && (id == typeId || ((id.StartsWith("P:", StringComparison.Ordinal) || id.StartsWith("M:", StringComparison.Ordinal))
                    && id[2..].StartsWith(typeId[2..] + ".", StringComparison.Ordinal))))
            .Select(m => Squashed(FirstSentence(LeadingText(m.Element("summary")))))
            .Where(s => s.Length > 10)
            .ToArray();
        summaries.Should().NotBeEmpty($"{typeName} carries XML doc summaries");
        var typePage = Directory.GetFiles(Path.Combine(docs, "code", "reference"), $"*-model-models-{typeName.ToLowerInvariant()}.html").Should().ContainSingle().Subject;
        var typeText = PlainText(File.ReadAllText(typePage));
        typeText.Should().Contain(typeName);
        var squashedTypeText = Squashed(typeText);
        summaries.Should().OnlyContain(s => squashedTypeText.Contains(s, StringComparison.Ordinal), "the code reference shows the XML doc summaries");

        // Guides: README.md and each docs/*.md as a page with its title.
        foreach (var guide in guides)
        {
            var markdown = Path.Combine(repo.Root, guide == "README.html" ? "README.md" : Path.Combine("docs", Path.ChangeExtension(guide, ".md")));
            var title = File.ReadLines(markdown).FirstOrDefault(line => line.StartsWith("# ", StringComparison.Ordinal))?[2..]
                ?? Path.GetFileNameWithoutExtension(markdown);
            PlainText(File.ReadAllText(Path.Combine(docs, guide))).Should().Contain(PlainText(title.Replace("`", "", StringComparison.Ordinal)), $"{guide} renders {Path.GetFileName(markdown)}");
        }

        // Mermaid diagrams of the guides are drawn by a local copy of Mermaid, not one from the internet.
        File.Exists(Path.Combine(docs, "content", "mermaid.min.js")).Should().BeTrue();
        File.ReadAllText(Path.Combine(docs, "README.html")).Should().Contain("<script src=\"./content/mermaid.min.js\">");
    }

    [Fact]
    public async Task Docs_script_passes_shellcheck()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var shellcheck = await ProcessRunner.RunAsync(new ProcessSpec("shellcheck", [Script], tree.Root), TimeSpan.FromMinutes(1));
        shellcheck.Succeeded.Should().BeTrue($"shellcheck must pass:{Environment.NewLine}{shellcheck}");
    }

    [Fact]
    public async Task Make_docs_stops_when_the_openapi_document_breaks_the_lint_rules()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var root = CopyOf(tree, "docs-lint", Script, "redocly.yaml", "docs/openapi.json");
        var document = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "docs", "openapi.json")))!.AsObject();
        document.Remove("info");
        File.WriteAllText(Path.Combine(root, "docs", "openapi.json"), document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

        var result = await ProcessRunner.RunAsync(DotNetCli.Spec(root, [Script]) with { FileName = "bash" }, TimeSpan.FromMinutes(5), Path.Combine(root, "docs.log"));

        result.Succeeded.Should().BeFalse($"a lint error must fail the docs build:{Environment.NewLine}{result}");
        result.Output.Should().Contain("info").And.Contain("docs/openapi.json breaks the lint rules");
        File.Exists(Path.Combine(root, "artifacts", "docs", "index.html")).Should().BeFalse();
    }

    [Fact]
    public async Task Make_docs_explains_that_it_needs_nodejs()
    {
        var tree = await GeneratedTree.GetAsync(Scenarios.Get("defaults"));
        var root = CopyOf(tree, "docs-no-node", Script);
        // A PATH with only what the script runs before its Node.js check.
        var bin = Directory.CreateDirectory(Path.Combine(root, "path-without-node")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "dirname"), Which("dirname"));

        var result = await ProcessRunner.RunAsync(
            DotNetCli.Spec(root, [Script], new Dictionary<string, string?> { ["PATH"] = bin }) with { FileName = Which("bash") },
            TimeSpan.FromMinutes(1));

        result.ExitCode.Should().Be(127, $"a missing tool exits like a missing command:{Environment.NewLine}{result}");
        result.StandardError.Should().Contain("install Node.js 20+");
    }

    private async Task<string> MakeDocsAsync(GeneratedRepo repo)
    {
        var make = await Make.RunAsync(repo.Root, "docs", repo.Log("5-docs"));
        Durations.Report(output, repo, ("make docs", make.Duration));
        make.EnsureSuccess();
        // Everything it writes stays in artifacts/, which .gitignore covers.
        Directory.EnumerateFileSystemEntries(repo.Root, ".fsdocs", SearchOption.AllDirectories)
            .Where(path => !Path.GetRelativePath(repo.Root, path).StartsWith("artifacts", StringComparison.Ordinal))
            .Should().BeEmpty("make docs must not leave files outside artifacts/");
        return Path.Combine(repo.Root, "artifacts", "docs");
    }

    /// <summary>A scratch folder with copies of some files of a generated tree.</summary>
    private static string CopyOf(GeneratedTree tree, string purpose, params string[] files)
    {
        var root = Path.Combine(TestRun.ScenarioFolder(tree.Scenario.Id, purpose), "repo");
        foreach (var file in files)
        {
            var target = Path.Combine(root, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(tree.Root, file), target);
        }

        return root;
    }

    private static string Which(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException($"'{command}' is not on PATH.");

    private static string[] RelativeLinks(string html) =>
        Href().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))
            .Where(link => !link.Contains(':', StringComparison.Ordinal) && !link.StartsWith('#'))
            .Select(link => link.Split('#')[0])
            .Where(link => link.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    private static string PlainText(string html) =>
        Whitespace().Replace(WebUtility.HtmlDecode(Tag().Replace(html, " ")), " ");

    // The text of a summary up to its first reference (<see cref>, <paramref>), which fsdocs renders in its own
    // words; inline code (<c>) counts as text. Constants are left out: fsdocs lists no fields.
    private static string LeadingText(XElement? summary)
    {
        var text = new System.Text.StringBuilder();
        foreach (var node in summary?.Nodes() ?? [])
        {
            if (node is XText part)
            {
                text.Append(part.Value);
            }
            else if (node is XElement { Name.LocalName: "c" } code)
            {
                text.Append(code.Value);
            }
            else
            {
                break;
            }
        }

        return text.ToString();
    }

    // fsdocs pads inline code with spaces; compare text without any whitespace.
    private static string Squashed(string text) => Whitespace().Replace(text, string.Empty);

    private static string FirstSentence(string text)
    {
        var normalized = Whitespace().Replace(text, " ").Trim();
        var end = normalized.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? normalized : normalized[..(end + 1)];
    }

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex Href();

    // A script loaded from elsewhere: <script src>, <link rel="modulepreload" href> or a module import.
    [GeneratedRegex(@"(src|href)=""https?://[^""]+\.m?js""|from\s*[""']https?://")]
    private static partial Regex RemoteScript();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
