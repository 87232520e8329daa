import { z } from 'zod';

/** A staff account as the API shows it (never its password hash or TOTP secret). */
export const staffView = z.object({
  id: z.number().int(),
  login: z.string(),
  role: z.enum(['organizer', 'control', 'precinct', 'observer']),
  stationId: z.number().int().nullable(),
  enrolled: z.boolean(),
  disabled: z.boolean(),
});

export const errorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string() }).passthrough() });

export function toStaffView(s: { id: number; login: string; role: 'organizer' | 'control' | 'precinct' | 'observer'; station_id: number | null; enrolled_at: unknown; disabled_at: unknown }): z.infer<typeof staffView> {
  return { id: s.id, login: s.login, role: s.role, stationId: s.station_id, enrolled: s.enrolled_at !== null, disabled: s.disabled_at !== null };
}
