using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace KeysDashboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class KeyVersionsAndSecretlessIdempotency : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Remembered responses used to hold secrets encrypted with the key ring stored beside them; forget
            // them all rather than carry one over (a retry after the upgrade simply runs again). secure_delete
            // overwrites their pages on disk instead of leaving them in the file's free list. The table is made
            // anew rather than altered: altering it would be a SQLite table rebuild, which switches foreign keys
            // off outside the migration's transaction.
            migrationBuilder.Sql("PRAGMA secure_delete = ON;");
            migrationBuilder.DropTable(name: "IdempotencyRecords");
            migrationBuilder.CreateTable(
                name: "IdempotencyRecords",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CallerKeyId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    RequestHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Response = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_IdempotencyRecords", x => x.Id);
                });
            migrationBuilder.CreateIndex(
                name: "IX_IdempotencyRecords_CallerKeyId_Key",
                table: "IdempotencyRecords",
                columns: new[] { "CallerKeyId", "Key" },
                unique: true);
            migrationBuilder.CreateIndex(
                name: "IX_IdempotencyRecords_ExpiresAt",
                table: "IdempotencyRecords",
                column: "ExpiresAt");

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "ApiKeys",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Response",
                table: "IdempotencyRecords");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "ApiKeys");

            migrationBuilder.AddColumn<bool>(
                name: "Completed",
                table: "IdempotencyRecords",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "ProtectedResponse",
                table: "IdempotencyRecords",
                type: "TEXT",
                nullable: true);
        }
    }
}
