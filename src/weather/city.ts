/** A place the sensor reads: its name as stored in `mediciones.ciudad` and where it is. */
export interface City {
  readonly name: string;
  readonly latitude: number;
  readonly longitude: number;
}

/** The seven Colombian cities of the original deployment, at their GeoNames points. */
export const DEFAULT_CITIES: readonly City[] = Object.freeze([
  { name: 'Bogota', latitude: 4.6097, longitude: -74.0817 },
  { name: 'Medellin', latitude: 6.2518, longitude: -75.5636 },
  { name: 'Cali', latitude: 3.4372, longitude: -76.5225 },
  { name: 'Cartagena', latitude: 10.3997, longitude: -75.5144 },
  { name: 'Manizales', latitude: 5.0689, longitude: -75.5174 },
  { name: 'Pereira', latitude: 4.8133, longitude: -75.6961 },
  { name: 'Bucaramanga', latitude: 7.1254, longitude: -73.1198 },
]);
