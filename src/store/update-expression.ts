/** Collects SET/REMOVE clauses with placeholder names, so reserved words (status) are safe. */
export class UpdateExpression {
  private readonly sets: string[] = [];
  private readonly removes: string[] = [];
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};

  set(attribute: string, value: unknown): void {
    this.sets.push(`${this.name(attribute)} = ${this.value(attribute, value)}`);
  }

  setIfNotExists(attribute: string, value: unknown): void {
    const name = this.name(attribute);
    this.sets.push(`${name} = if_not_exists(${name}, ${this.value(attribute, value)})`);
  }

  remove(...attributes: string[]): void {
    for (const attribute of attributes) this.removes.push(this.name(attribute));
  }

  /** The condition reuses the `#seq`/`:seq` placeholders of the SET clause: same attribute, same value. */
  build(): { UpdateExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } {
    const removes = this.removes.length > 0 ? ` REMOVE ${this.removes.join(', ')}` : '';
    return { UpdateExpression: `SET ${this.sets.join(', ')}${removes}`, ExpressionAttributeNames: this.names, ExpressionAttributeValues: this.values };
  }

  private name(attribute: string): string {
    this.names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  }

  private value(attribute: string, value: unknown): string {
    this.values[`:${attribute}`] = value;
    return `:${attribute}`;
  }
}
