/** What an action's failure says to the person: the API's sentence, never raw JSON. */
export function message(error: unknown): string {
  return error instanceof Error ? error.message : "Something went wrong: try again.";
}
