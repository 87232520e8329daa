import type { Generated, Insertable, Selectable } from 'kysely';

export interface RegionTable {
  id: Generated<number>;
  code: string;
  name: string;
  name_kk: string | null;
}
export type Region = Selectable<RegionTable>;
export type NewRegion = Insertable<RegionTable>;

export type DistrictKind = 'city' | 'district';
export interface DistrictTable {
  id: Generated<number>;
  region_id: number;
  code: string;
  name: string;
  name_kk: string | null;
  kind: DistrictKind;
}
export type District = Selectable<DistrictTable>;
export type NewDistrict = Insertable<DistrictTable>;
