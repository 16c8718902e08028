import { createInterface } from 'node:readline';

/** Asks on the terminal; true only when the answer is "yes". */
export async function confirm(question: string): Promise<boolean> {
  const reader = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await new Promise<string>((resolve) => reader.question(question, resolve));
    return answer.trim().toLowerCase() === 'yes';
  } finally {
    reader.close();
  }
}
