import type { admin as en } from '../en/admin';

export const admin: Record<keyof typeof en, string> = {
  'errors.ADMIN_ERR_UNAUTHENTICATED': 'Алдымен кіріңіз',
  'errors.ADMIN_ERR_FORBIDDEN': 'Сіздің рөліңізге бұған рұқсат жоқ',
  'errors.ADMIN_ERR_CSRF': 'Форма ескірген; бетті жаңартып, қайталаңыз',
  'errors.ADMIN_ERR_SIGNIN_FAILED': 'Логин, құпиясөз немесе бір реттік код қате',
  'errors.ADMIN_ERR_TOTP_REPLAYED': 'Бұл бір реттік код қолданылған; келесісін күтіңіз',
  'errors.ADMIN_ERR_LOCKED': 'Сәтсіз кіру әрекеттері тым көп; тіркелгі уақытша бұғатталды',
  'errors.ADMIN_ERR_ENROLMENT_INVALID': 'Тіркелу сілтемесі жарамсыз (қолданылған, мерзімі өткен немесе белгісіз); ұйымдастырушыдан жаңасын сұраңыз',
  'errors.ADMIN_ERR_WEAK_PASSWORD': 'Құпиясөз тым әлсіз: табу қиын кемінде 12 таңба қолданыңыз',
  'errors.ADMIN_ERR_TOTP_INVALID': 'Бір реттік код қате; аутентификатор қолданбасындағы сағатты тексеріңіз',
  'errors.ADMIN_ERR_STAFF_NOT_FOUND': 'Мұндай тіркелгі жоқ',
  'errors.ADMIN_ERR_LOGIN_TAKEN': 'Бұл логин бос емес',
  'errors.ADMIN_ERR_STATION_REQUIRED': 'Учаскелік комиссия тіркелгісіне сайлау учаскесі керек, және тек соған',
  'errors.ADMIN_ERR_UNKNOWN_STATION': 'Мұндай сайлау учаскесі жоқ',
  'errors.ADMIN_ERR_LAST_ORGANIZER': 'Соңғы ұйымдастырушыны өшіруге болмайды',
};
