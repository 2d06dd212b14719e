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
            // them all rather than carry one over. A retry after the upgrade simply runs again.
            migrationBuilder.Sql("DELETE FROM \"IdempotencyRecords\";");

            migrationBuilder.DropColumn(
                name: "Completed",
                table: "IdempotencyRecords");

            migrationBuilder.DropColumn(
                name: "ProtectedResponse",
                table: "IdempotencyRecords");

            migrationBuilder.AddColumn<string>(
                name: "Response",
                table: "IdempotencyRecords",
                type: "TEXT",
                nullable: false,
                defaultValue: "");

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
