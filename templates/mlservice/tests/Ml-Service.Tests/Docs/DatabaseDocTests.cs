using MlOps.Platform.Data.Schema;

namespace Ml_Service.Tests.Docs;

/// <summary>docs/DATABASE.md describes the schema the prediction log's migrations make, from the platform package this repository uses.</summary>
public sealed class DatabaseDocTests
{
    [Fact]
    public void The_schema_section_of_the_database_doc_is_the_one_the_migrations_give()
    {
        var path = Path.Combine(Repository.Root, "docs", "DATABASE.md");
        var committed = File.ReadAllText(path);
        var current = SchemaDocument.InDocument(committed);
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, current);
        }

        committed.Should().Be(current, "docs/DATABASE.md must describe the schema of the MlOps.Platform.Data in use: rerun the tests with UPDATE_DOCS=1 after upgrading it");
    }
}
